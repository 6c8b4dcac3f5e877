package refusallens.service.api;

/** A request body that is not well-formed UTF-8: answered 400 {@code invalid_utf8}. */
public final class InvalidUtf8Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidUtf8Exception(String message) {
    super(message);
  }
}
