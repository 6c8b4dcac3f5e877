package refusallens.service.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * POST /v1/evaluate/clamp: prompts (bounded), the intervention to evaluate, the metric (jailbreak: the
 * share of completions not refused; refusal: the share refused), the judge and max_new_tokens.
 */
public record ClampEvaluationRequest(
    List<String> prompts,
    @Schema(implementation = InterventionSchema.class, required = true) JsonNode intervention, String metric, String judge, Integer maxNewTokens) {}
