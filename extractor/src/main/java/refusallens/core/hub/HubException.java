package refusallens.core.hub;

/** A Hugging Face id or SAELens release that is not in the local cache; the message says how to fetch it. */
public final class HubException extends RuntimeException {
  public HubException(String message) {
    super(message);
  }
}
