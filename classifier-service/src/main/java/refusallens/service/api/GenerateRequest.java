package refusallens.service.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** POST /v1/generate: a prompt or messages, max_new_tokens, and an optional intervention spec. */
public record GenerateRequest(
    String prompt, List<Message> messages, Integer maxNewTokens,
    @Schema(implementation = InterventionSchema.class) JsonNode intervention) {}
