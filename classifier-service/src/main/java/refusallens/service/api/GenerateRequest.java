package refusallens.service.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** POST /v1/generate: a prompt or messages, max_new_tokens, and an optional intervention spec. */
public record GenerateRequest(
    String prompt, List<Message> messages, Integer maxNewTokens, JsonNode intervention) {}
