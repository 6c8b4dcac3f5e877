package refusallens.service.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import com.fasterxml.jackson.databind.JsonNode;
import refusallens.eval.judge.Outcome;

/**
 * A greedy completion with the judge's verdict (refused, and the outcome: refused / complied / degenerate) and
 * the intervention it ran under (null: none).
 */
public record GenerateResponse(
    String text,
    boolean refused,
    Outcome outcome,
    String judge,
    String judgeReason,
    int promptTokens,
    int newTokens,
    @Schema(implementation = InterventionSchema.class, description = "The intervention it ran under (null: none)")
        JsonNode intervention,
    double totalMs) {}
