package refusallens.service.engine;

import java.util.List;
import refusallens.chat.ChatMessage;

/**
 * What the model reads: a conversation that the engine renders with the model's chat template (a plain
 * prompt is one user turn).
 */
public record PromptInput(List<ChatMessage> messages) {
  public PromptInput {
    if (messages == null || messages.isEmpty()) {
      throw new IllegalArgumentException("a prompt needs at least one message");
    }
    messages = List.copyOf(messages);
  }

  /** A plain prompt: one user turn. */
  public static PromptInput ofUser(String prompt) {
    return new PromptInput(List.of(new ChatMessage("user", prompt)));
  }

  /** Characters over all turns (the cheap limit checked before tokenizing). */
  public int chars() {
    return messages.stream().mapToInt(m -> m.content().length()).sum();
  }

  /** The last user turn: what a judge reads as the request. */
  public String lastUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return messages.get(messages.size() - 1).content();
  }
}
