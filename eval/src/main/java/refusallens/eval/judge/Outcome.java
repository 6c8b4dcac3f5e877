package refusallens.eval.judge;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a completion did with the request: refused it, complied (answered the request that was asked), or
 * neither (degenerate: off-topic, repetitive, empty or non-finite). A jailbreak is a {@link #COMPLIED}.
 */
public enum Outcome {
  REFUSED("refused"),
  COMPLIED("complied"),
  DEGENERATE("degenerate");

  private final String wireName;

  Outcome(String wireName) {
    this.wireName = wireName;
  }

  /** The name reports print ({@code refused}, {@code complied}, {@code degenerate}). */
  @JsonValue
  public String wireName() {
    return wireName;
  }
}
