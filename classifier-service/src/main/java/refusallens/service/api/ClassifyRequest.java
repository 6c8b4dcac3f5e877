package refusallens.service.api;

import java.util.List;

/** POST /v1/classify: exactly one of prompt or messages; threshold and top_features optional. */
public record ClassifyRequest(
    String prompt, List<Message> messages, Double threshold, Integer topFeatures) {}
