package refusallens.service.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import refusallens.service.config.ServiceConfig;
import refusallens.chat.ChatMessage;
import refusallens.service.engine.ClassificationEngine;
import refusallens.service.engine.InvalidConversationException;
import refusallens.service.engine.PromptInput;
import refusallens.service.engine.TokenizedPrompt;

/** Turns a request's prompt or messages into a {@link PromptInput} and its tokens, enforcing the configured limits. */
@ApplicationScoped
public class PromptRules {

  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  private final ServiceConfig.Limits limits;

  @Inject
  public PromptRules(ServiceConfig config) {
    this.limits = config.limits();
  }

  /**
   * The prompt of a request that carries exactly one of {@code prompt} and {@code messages}.
   *
   * @param where the request field's path for messages, e.g. {@code items[3]}
   * @param engine counts tokens for the token limit
   */
  public TokenizedPrompt prompt(String prompt, List<Message> messages, String where, ClassificationEngine engine) {
    PromptInput input = parse(prompt, messages, where);
    if (input.chars() > limits.maxPromptChars()) {
      throw new PayloadTooLargeException(
          where + "prompt has " + input.chars() + " characters; the limit is " + limits.maxPromptChars());
    }
    TokenizedPrompt tokenized;
    try {
      tokenized = engine.tokenize(input);
    } catch (InvalidConversationException e) {
      throw new InvalidRequestException(where + e.getMessage());
    }
    if (tokenized.tokens() > limits.maxPromptTokens()) {
      throw new PayloadTooLargeException(
          where + "prompt has " + tokenized.tokens() + " tokens; the limit is " + limits.maxPromptTokens());
    }
    return tokenized;
  }

  private static PromptInput parse(String prompt, List<Message> messages, String where) {
    if (prompt != null && messages != null) {
      throw new InvalidRequestException(where + "give either \"prompt\" or \"messages\", not both");
    }
    if (prompt == null && messages == null) {
      throw new InvalidRequestException(where + "\"prompt\" (a string) or \"messages\" (a list) is required");
    }
    if (prompt != null) {
      if (prompt.isBlank()) {
        throw new InvalidRequestException(where + "\"prompt\" must not be empty");
      }
      return PromptInput.ofUser(prompt);
    }
    if (messages.isEmpty()) {
      throw new InvalidRequestException(where + "\"messages\" must not be empty");
    }
    List<ChatMessage> turns = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      String at = where + "messages[" + i + "]";
      if (m == null) {
        throw new InvalidRequestException(at + " must be an object {role, content}");
      }
      if (m.role() == null || !ROLES.contains(m.role())) {
        throw new InvalidRequestException(at + ".role must be one of system, user, assistant");
      }
      if (m.content() == null || m.content().isBlank()) {
        throw new InvalidRequestException(at + ".content must be a non-empty string");
      }
      turns.add(new ChatMessage(m.role(), m.content()));
    }
    if (turns.stream().noneMatch(t -> t.role().equals("user"))) {
      throw new InvalidRequestException(where + "\"messages\" needs at least one user turn");
    }
    return new PromptInput(turns);
  }

  /** max_new_tokens, defaulting to {@code fallback} and bounded by the configured limit. */
  public int maxNewTokens(Integer requested, int fallback) {
    int n = requested == null ? Math.min(fallback, limits.maxNewTokens()) : requested;
    if (n < 1) {
      throw new InvalidRequestException("\"max_new_tokens\" must be >= 1, got " + n);
    }
    if (n > limits.maxNewTokens()) {
      throw new InvalidRequestException(
          "\"max_new_tokens\" is " + n + "; the limit is " + limits.maxNewTokens());
    }
    return n;
  }

  /** The limits in force (for the resources' size checks). */
  public ServiceConfig.Limits limits() {
    return limits;
  }
}
