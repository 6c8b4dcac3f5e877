package refusallens.core.model;

/**
 * A forward pass produced NaN or infinite activations or logits: nothing computed from it (a completion, a
 * judge verdict, a score, a mean) may be reported. Names the checked point and the usual causes.
 */
public final class NonFiniteActivationException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String point;
  private final String kind;

  /**
   * @param kind what was found: {@code NaN} or {@code infinity}
   * @param point where: a hook name such as {@code blocks.3.hook_resid_post}, or {@code logits}
   */
  public NonFiniteActivationException(String kind, String point) {
    super(kind + " in " + point + ": check the checkpoint weights (a NaN or infinite weight) or the intervention"
        + " (its scale or value)");
    this.kind = kind;
    this.point = point;
  }

  /** The hook name or {@code logits} where the non-finite value was found. */
  public String point() {
    return point;
  }

  /** {@code NaN} or {@code infinity}. */
  public String kind() {
    return kind;
  }
}
