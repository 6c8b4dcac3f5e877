package refusallens.tokenizer;

import java.util.Objects;

/** One turn of a conversation, as transformers' {"role": ..., "content": ...} message dicts. */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    if (role.isBlank()) {
      throw new IllegalArgumentException("chat message role must not be blank");
    }
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }
}
