package refusallens.service.inference;

/** A /v1 request arrived before the model finished loading (or after loading failed): answered 503. */
public final class ModelNotReadyException extends RuntimeException {
  public ModelNotReadyException(String message) {
    super(message);
  }
}
