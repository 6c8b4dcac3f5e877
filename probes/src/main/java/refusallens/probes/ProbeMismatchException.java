package refusallens.probes;

/** A probe applied to activations of another model or SAE than it was trained on. */
public final class ProbeMismatchException extends IllegalArgumentException {
  public ProbeMismatchException(String message) {
    super(message);
  }
}
