package refusallens.refusal.extract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which token positions of a prompt an extracted activation summarises. */
public enum PositionRule {
  /** The last prompt token (the last token of the chat template's post-instruction part). */
  LAST("last"),
  /** The mean over the post-instruction template tokens (after the user's text). */
  POST_INSTRUCTION_MEAN("post_instruction_mean"),
  /** The mean over all prompt tokens after the BOS/system header. */
  PROMPT_MEAN("prompt_mean");

  private final String id;

  PositionRule(String id) {
    this.id = id;
  }

  /** The name used in tensor names, manifests and on the command line. */
  @JsonValue
  public String id() {
    return id;
  }

  /** Parses the id (also accepts the enum name in any case). */
  @JsonCreator
  public static PositionRule parse(String s) {
    for (PositionRule r : values()) {
      if (r.id.equalsIgnoreCase(s) || r.name().equalsIgnoreCase(s)) return r;
    }
    throw new IllegalArgumentException(
        "position rule '" + s + "': expected one of "
            + Arrays.stream(values()).map(PositionRule::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id.toLowerCase(Locale.ROOT);
  }
}
