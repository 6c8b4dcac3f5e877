package refusallens.service.engine;

import java.util.Objects;

/** One chat turn: role (system, user, assistant) and its text. */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }
}
