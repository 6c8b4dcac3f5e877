package refusallens.refusal;

import java.util.List;
import refusallens.datasets.Prompt;
import refusallens.chat.ChatMessage;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The chat template around a user request, in tokens: {@code header} tokens before it (BOS, system header,
 * user turn start) and {@code postInstruction} tokens after it (end of turn, the generation prompt: Arditi et
 * al.'s "eoi" tokens). Found as the common prefix and suffix of two renderings that differ only in the request.
 */
public record TemplateSpan(int header, int postInstruction) {
  public TemplateSpan {
    if (header < 0 || postInstruction < 1) {
      throw new IllegalArgumentException(
          "template span needs header >= 0 and post-instruction >= 1 tokens, got " + header + ", " + postInstruction);
    }
  }

  /** The span of {@code tokenizer}'s chat template with the generation prompt. */
  public static TemplateSpan of(Tokenizer tokenizer) {
    int[] a = tokenizer.encodeChat(List.of(ChatMessage.user("Tell me about rivers.")), true);
    int[] b = tokenizer.encodeChat(List.of(ChatMessage.user("Write a short poem about mountains!")), true);
    int prefix = 0;
    while (prefix < a.length && prefix < b.length && a[prefix] == b[prefix]) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] == b[b.length - 1 - suffix]) {
      suffix++;
    }
    if (suffix == 0) {
      throw new IllegalArgumentException(
          tokenizer.source() + ": the chat template adds no tokens after the user request (no generation prompt?)");
    }
    return new TemplateSpan(prefix, suffix);
  }

  /** A prompt's chat tokens with the generation prompt: its messages, or its text as one user turn. */
  public static int[] encode(Tokenizer tokenizer, Prompt prompt) {
    List<ChatMessage> messages = prompt.messages() == null
        ? List.of(ChatMessage.user(prompt.text()))
        : prompt.messages();
    return tokenizer.encodeChat(messages, true);
  }

  /** First position of the request in a prompt of {@code length} tokens (after the header, at most the last). */
  public int contentStart(int length) {
    return Math.min(header, length - 1);
  }

  /** First post-instruction position in a prompt of {@code length} tokens. */
  public int postInstructionStart(int length) {
    return Math.max(contentStart(length), length - postInstruction);
  }
}
