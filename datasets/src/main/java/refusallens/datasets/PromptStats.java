package refusallens.datasets;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Counts of a prompt set by label, category, attack and source (sorted keys; a missing category or attack
 * counts under {@value #NONE}).
 */
@JsonPropertyOrder({"total", "by_label", "by_category", "by_attack", "by_source"})
public record PromptStats(
    int total,
    @JsonProperty("by_label") Map<String, Integer> byLabel,
    @JsonProperty("by_category") Map<String, Integer> byCategory,
    @JsonProperty("by_attack") Map<String, Integer> byAttack,
    @JsonProperty("by_source") Map<String, Integer> bySource) {

  /** The key under which prompts without a category or attack are counted. */
  public static final String NONE = "(none)";

  /** Counts {@code prompts}. */
  public static PromptStats of(List<Prompt> prompts) {
    return new PromptStats(
        prompts.size(),
        count(prompts, p -> p.label().wireName()),
        count(prompts, Prompt::category),
        count(prompts, Prompt::attack),
        count(prompts, Prompt::source));
  }

  private static Map<String, Integer> count(List<Prompt> prompts, Function<Prompt, String> key) {
    Map<String, Integer> m = new TreeMap<>();
    for (Prompt p : prompts) {
      String k = key.apply(p);
      m.merge(k == null ? NONE : k, 1, Integer::sum);
    }
    return m;
  }
}
