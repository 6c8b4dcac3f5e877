package refusallens.service.api;

/** A request whose fields are missing, empty, out of range or contradictory: answered 400. */
public final class InvalidRequestException extends RuntimeException {
  public InvalidRequestException(String message) {
    super(message);
  }
}
