package refusallens.refusal;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which prompt positions the difference in means averages: the last token, or every post-instruction token. */
public enum DirectionPositions {
  LAST("last"),
  POST_INSTRUCTION("post-instruction");

  private final String wireName;

  DirectionPositions(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** Parses {@code last} or {@code post-instruction}. */
  public static DirectionPositions parse(String s) {
    for (DirectionPositions p : values()) {
      if (p.wireName.equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException("positions '" + s + "' unknown: expected last or post-instruction");
  }
}
