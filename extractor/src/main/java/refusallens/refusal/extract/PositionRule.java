package refusallens.refusal.extract;

import com.fasterxml.jackson.annotation.JsonCreator;
import refusallens.files.WireName;

/**
 * Which token positions of a prompt an extracted activation summarises; the wire name is used in tensor names,
 * manifests and on the command line.
 */
public enum PositionRule implements WireName {
  /** The last prompt token (the last token of the chat template's post-instruction part). */
  LAST,
  /** The mean over the post-instruction template tokens (after the user's text). */
  POST_INSTRUCTION_MEAN,
  /** The mean over all prompt tokens after the BOS/system header. */
  PROMPT_MEAN;

  /** Parses {@code last}, {@code post_instruction_mean} or {@code prompt_mean} (any case). */
  @JsonCreator
  public static PositionRule parse(String s) {
    return WireName.parse(PositionRule.class, "position rule", s);
  }

  @Override
  public String toString() {
    return wireName();
  }
}
