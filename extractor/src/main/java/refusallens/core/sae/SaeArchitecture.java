package refusallens.core.sae;

/** The activation function of an SAE, named as SAELens's {@code architecture}. */
public enum SaeArchitecture {
  /** acts = relu(pre) (SAELens "standard"). */
  STANDARD("standard"),
  /** acts = pre where pre > threshold (and > 0), else 0. */
  JUMPRELU("jumprelu"),
  /** The k largest pre-activations of each row, through relu; the rest 0. */
  TOPK("topk");

  private final String key;

  SaeArchitecture(String key) {
    this.key = key;
  }

  /** The name in SAELens's {@code cfg.json}. */
  public String key() {
    return key;
  }
}
