package refusallens.service.api;

import com.fasterxml.jackson.databind.JsonNode;

/** A greedy completion with the judge's verdict and the intervention it ran under (null: none). */
public record GenerateResponse(
    String text,
    boolean refused,
    String judge,
    String judgeReason,
    int promptTokens,
    int newTokens,
    JsonNode intervention,
    double totalMs) {}
