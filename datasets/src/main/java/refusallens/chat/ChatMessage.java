package refusallens.chat;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/** One turn of a chat conversation ({@code role} is e.g. {@code system}, {@code user}, {@code assistant}). */
@JsonPropertyOrder({"role", "content"})
public record ChatMessage(String role, String content) {
  public ChatMessage {
    if (role == null || role.isBlank()) {
      throw new IllegalArgumentException("chat message needs a non-empty 'role'");
    }
    Objects.requireNonNull(content, "chat message needs 'content'");
  }

  /** A user turn. */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  /** An assistant turn. */
  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }

  /** A system turn. */
  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }
}
