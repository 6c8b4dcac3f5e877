package refusallens.service.engine;

/** An intervention spec that cannot apply to the loaded model: unknown layer, feature, or a bad field. */
public final class InvalidInterventionException extends RuntimeException {
  public InvalidInterventionException(String message) {
    super(message);
  }
}
