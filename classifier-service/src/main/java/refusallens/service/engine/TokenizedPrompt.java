package refusallens.service.engine;

/**
 * A prompt with its chat tokens (template applied, generation prompt added), tokenized once on the request
 * thread for the token limit and then read by the model as they are.
 */
public record TokenizedPrompt(PromptInput input, int[] ids) {
  public TokenizedPrompt {
    if (input == null || ids == null || ids.length == 0) {
      throw new IllegalArgumentException("a tokenized prompt needs its input and at least one token");
    }
  }

  /** Prompt length in tokens. */
  public int tokens() {
    return ids.length;
  }
}
