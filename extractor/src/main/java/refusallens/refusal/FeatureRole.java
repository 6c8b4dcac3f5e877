package refusallens.refusal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a feature of F* does: it represents the harmful content (FH) or the decision to refuse (FR). */
public enum FeatureRole {
  HARM("harm"),
  REFUSAL("refusal");

  private final String wireName;

  FeatureRole(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** Parses {@code harm} or {@code refusal}. */
  @JsonCreator
  public static FeatureRole parse(String s) {
    for (FeatureRole r : values()) {
      if (r.wireName.equals(s)) {
        return r;
      }
    }
    throw new IllegalArgumentException("feature role '" + s + "' unknown: expected harm or refusal");
  }
}
