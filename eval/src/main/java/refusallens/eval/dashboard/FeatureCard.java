package refusallens.eval.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** What one F* feature's dashboard card shows (written to cards.json and rendered into index.html). */
@JsonPropertyOrder({"layer", "index", "role", "cosine_with_refusal_direction", "attribution", "top_examples",
    "promoted_tokens", "suppressed_tokens", "histogram"})
public record FeatureCard(
    int layer,
    int index,
    String role,
    @JsonProperty("cosine_with_refusal_direction") double cosineWithRefusalDirection,
    double attribution,
    @JsonProperty("top_examples") List<Example> topExamples,
    @JsonProperty("promoted_tokens") List<LogitToken> promotedTokens,
    @JsonProperty("suppressed_tokens") List<LogitToken> suppressedTokens,
    Histogram histogram) {

  /** A prompt token the feature fires on, with up to {@code FeatureDashboard.CONTEXT} tokens either side. */
  @JsonPropertyOrder({"prompt_id", "label", "position", "activation", "before", "token", "after"})
  public record Example(
      @JsonProperty("prompt_id") String promptId, String label, int position, double activation, String before,
      String token, String after) {}

  /** A vocabulary token and its logit weight: the decoder row dotted with the token's unembedding row. */
  @JsonPropertyOrder({"token", "id", "weight"})
  public record LogitToken(String token, int id, double weight) {}

  /**
   * Counts of each prompt's maximum activation (over its tokens after BOS) in equal bins over
   * [0, {@code max}], harmful and harmless prompts; {@code n_*} is how many prompts each side.
   */
  @JsonPropertyOrder({"statistic", "edges", "harmful", "harmless", "n_harmful", "n_harmless"})
  public record Histogram(
      String statistic, double[] edges, int[] harmful, int[] harmless, @JsonProperty("n_harmful") int nHarmful,
      @JsonProperty("n_harmless") int nHarmless) {}
}
