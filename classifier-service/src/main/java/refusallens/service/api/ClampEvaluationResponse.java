package refusallens.service.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The clamping evaluation: jailbreak_score (metric jailbreak) or refusal_score (metric refusal) under the
 * intervention, base_score the same metric without it, and every completion with its verdict.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClampEvaluationResponse(
    String metric,
    Double jailbreakScore,
    Double refusalScore,
    double baseScore,
    String judge,
    int n,
    JsonNode intervention,
    List<Item> items) {

  /** One prompt: its completion without and with the intervention, and the judge's verdicts. */
  public record Item(
      String prompt,
      String baseCompletion,
      boolean baseRefused,
      String clampedCompletion,
      boolean clampedRefused) {}
}
