package refusallens.refusal;

import com.fasterxml.jackson.annotation.JsonCreator;
import refusallens.files.WireName;

/** What a feature of F* does: it represents the harmful content (FH) or the decision to refuse (FR). */
public enum FeatureRole implements WireName {
  HARM,
  REFUSAL;

  /** Parses {@code harm} or {@code refusal}. */
  @JsonCreator
  public static FeatureRole parse(String s) {
    return WireName.parse(FeatureRole.class, "feature role", s);
  }
}
