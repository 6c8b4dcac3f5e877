package refusallens.refusal;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where the candidate refusal directions are taken: one candidate per post-instruction position (Arditi et al.'s
 * eoi positions, each with its own difference in means), the last token only, or the mean over the
 * post-instruction tokens.
 */
public enum DirectionPositions {
  LAST("last"),
  POST_INSTRUCTION("post-instruction"),
  EACH_POST_INSTRUCTION("each-post-instruction");

  private final String wireName;

  DirectionPositions(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** Parses {@code last}, {@code post-instruction} or {@code each-post-instruction}. */
  public static DirectionPositions parse(String s) {
    for (DirectionPositions p : values()) {
      if (p.wireName.equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("positions '" + s + "' unknown: expected last, post-instruction or each-post-instruction");
  }
}
