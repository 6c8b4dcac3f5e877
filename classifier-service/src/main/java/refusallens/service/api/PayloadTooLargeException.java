package refusallens.service.api;

/** A request over a configured size limit (prompt characters or tokens, batch items): answered 413. */
public final class PayloadTooLargeException extends RuntimeException {
  public PayloadTooLargeException(String message) {
    super(message);
  }
}
