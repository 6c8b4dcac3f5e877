package refusallens.probes.view;

import java.util.List;
import refusallens.refusal.FeatureRole;
import refusallens.refusal.FeaturesFile;

/** The named SAE feature lists of {@code features.json}. */
public enum FeatureSetId {
  /** F*: every feature found by attribution patching. */
  FSTAR("f*"),
  /** FH: the harm features. */
  FH("fh"),
  /** FR: the refusal features. */
  FR("fr");

  private final String id;

  FeatureSetId(String id) {
    this.id = id;
  }

  /** The name in view specs. */
  public String id() {
    return id;
  }

  /** This list of {@code file}'s global F*, in file order. */
  public List<FeaturesFile.Feature> select(FeaturesFile file) {
    return switch (this) {
      case FSTAR -> file.features();
      case FH -> file.withRole(FeatureRole.HARM);
      case FR -> file.withRole(FeatureRole.REFUSAL);
    };
  }
}
