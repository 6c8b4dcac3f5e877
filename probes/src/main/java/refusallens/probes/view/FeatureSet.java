package refusallens.probes.view;

/** The named SAE feature lists of {@code features.json}. */
public enum FeatureSet {
  /** F*: every feature found by attribution patching. */
  FSTAR("f*"),
  /** FH: the harm features. */
  FH("fh"),
  /** FR: the refusal features. */
  FR("fr");

  private final String id;

  FeatureSet(String id) {
    this.id = id;
  }

  /** The name in view specs. */
  public String id() {
    return id;
  }
}
