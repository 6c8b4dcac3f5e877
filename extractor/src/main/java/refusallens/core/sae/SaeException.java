package refusallens.core.sae;

/** An SAE that cannot be loaded or used as asked: unknown layout, bad config, shape or hook mismatch. */
public final class SaeException extends RuntimeException {
  public SaeException(String message) {
    super(message);
  }

  public SaeException(String message, Throwable cause) {
    super(message, cause);
  }
}
