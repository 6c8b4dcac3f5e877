package refusallens.refusal;

import java.util.List;
import java.util.Objects;
import refusallens.datasets.Prompt;
import refusallens.core.tokenizer.Tokenizer;

/** A prompt and its chat tokens (template applied, generation prompt added). */
public record EncodedPrompt(Prompt prompt, int[] ids) {
  public EncodedPrompt {
    Objects.requireNonNull(prompt, "prompt");
    if (ids.length == 0) {
      throw new IllegalArgumentException("prompt '" + prompt.id() + "' encodes to no tokens");
    }
    ids = ids.clone();
  }

  /** Encodes every prompt with the tokenizer's chat template. */
  public static List<EncodedPrompt> encode(Tokenizer tokenizer, List<Prompt> prompts) {
    return prompts.stream().map(p -> new EncodedPrompt(p, TemplateSpan.encode(tokenizer, p))).toList();
  }

  /** The token ids of each prompt. */
  public static List<int[]> ids(List<EncodedPrompt> prompts) {
    return prompts.stream().map(EncodedPrompt::ids).toList();
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }
}
