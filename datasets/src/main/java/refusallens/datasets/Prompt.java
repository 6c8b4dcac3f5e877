package refusallens.datasets;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import refusallens.chat.ChatMessage;

/**
 * One prompt of a dataset: a single user request ({@code text}) or a chat ({@code messages}), its
 * label, harm category and source; for adversarial variants the {@code attack} applied and the id of
 * the base prompt ({@code baseId}); optionally a reference assistant {@code response} (the helpful answer
 * a harmless request should get).
 *
 * @param id unique within a dataset
 * @param text the user request; null when {@code messages} is given
 * @param messages a chat; null when {@code text} is given
 * @param label harmful or harmless
 * @param category harm category or topic (free text as the source spells it); may be null
 * @param source where the prompt comes from (dataset name, file, or {@code builtin})
 * @param attack name of the adversarial transform or attack method; null for plain prompts
 * @param baseId id of the prompt this one was derived from; null for plain prompts
 * @param response a reference assistant answer; may be null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "id", "text", "messages", "label", "category", "source", "attack", "baseId", "response"
})
public record Prompt(
    String id,
    String text,
    List<ChatMessage> messages,
    Label label,
    String category,
    String source,
    String attack,
    String baseId,
    String response) {

  public Prompt {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("prompt needs a non-empty 'id'");
    }
    if ((text == null) == (messages == null)) {
      throw new IllegalArgumentException(
          "prompt '" + id + "' needs exactly one of 'text' or 'messages'");
    }
    if (text != null && text.isBlank()) {
      throw new IllegalArgumentException("prompt '" + id + "' has an empty 'text'");
    }
    if (messages != null) {
      if (messages.isEmpty()) {
        throw new IllegalArgumentException("prompt '" + id + "' has an empty 'messages' list");
      }
      messages = List.copyOf(messages);
    }
    if (label == null) {
      throw new IllegalArgumentException("prompt '" + id + "' needs a 'label' (harmful|harmless)");
    }
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("prompt '" + id + "' needs a non-empty 'source'");
    }
  }

  /** A plain single-turn prompt. */
  public static Prompt of(String id, String text, Label label, String category, String source) {
    return new Prompt(id, text, null, label, category, source, null, null, null);
  }

  /** The same prompt with a reference response. */
  public Prompt withResponse(String newResponse) {
    return new Prompt(id, text, messages, label, category, source, attack, baseId, newResponse);
  }

  /** An adversarial variant of this prompt: new id and text, attack recorded, no reference response. */
  public Prompt variant(String attackName, String newText) {
    return new Prompt(
        id + "~" + attackName, newText, null, label, category, source, attackName, id, null);
  }

  /** The request the user makes: {@code text}, or the content of the last user turn of {@code messages}. */
  @JsonIgnore
  public String userText() {
    if (text != null) {
      return text;
    }
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).content();
      }
    }
    return messages.get(messages.size() - 1).content();
  }
}
