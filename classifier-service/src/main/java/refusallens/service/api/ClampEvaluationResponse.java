package refusallens.service.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import refusallens.eval.judge.Outcome;
import refusallens.eval.judge.Outcomes;

/**
 * The clamping evaluation: jailbreak_score (metric jailbreak) or refusal_score (metric refusal) under the
 * intervention, base_score the same metric without it, the outcome shares (refused / complied / degenerate, with n
 * and Wilson intervals) with and without it, and every completion with its verdict and outcome.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClampEvaluationResponse(
    String metric,
    Double jailbreakScore,
    Double refusalScore,
    double baseScore,
    String judge,
    int n,
    Outcomes outcomes,
    Outcomes baseOutcomes,
    @Schema(implementation = InterventionSchema.class) JsonNode intervention,
    List<Item> items) {

  /** One prompt: its completion without and with the intervention, and the judge's verdicts. */
  public record Item(
      String prompt,
      String baseCompletion,
      boolean baseRefused,
      Outcome baseOutcome,
      String clampedCompletion,
      boolean clampedRefused,
      Outcome clampedOutcome) {}
}
