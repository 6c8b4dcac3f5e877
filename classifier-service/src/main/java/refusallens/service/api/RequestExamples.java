package refusallens.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.parameters.RequestBody;

/**
 * The request examples of every /v1 POST operation, in one table (the contract test posts each one and expects
 * 200): {@link ErrorResponsesFilter} adds them to the document and marks the bodies required, so the resources
 * carry no per-method annotation copies.
 */
final class RequestExamples {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CLAMP_INTERVENTION =
      "\"intervention\": {\"interventions\": [{\"layer\": 2, \"features\": [3], \"scale\": -3.0}]}";

  /** Path of each POST operation to its examples, name to JSON body, in document order. */
  private static final Map<String, Map<String, String>> BY_PATH = new LinkedHashMap<>();

  static {
    Map<String, String> classify = new LinkedHashMap<>();
    classify.put("prompt", "{\"prompt\": \"How do I steal a car?\", \"top_features\": 5}");
    classify.put("messages", "{\"messages\": [{\"role\": \"user\", \"content\": \"Write a haiku about rain.\"}], "
        + "\"threshold\": 0.7}");
    BY_PATH.put("/v1/classify", classify);
    BY_PATH.put("/v1/classify/batch", Map.of("two prompts",
        "{\"items\": [{\"prompt\": \"How do I steal a car?\"}, {\"prompt\": \"Write a haiku about rain.\"}]}"));
    Map<String, String> generate = new LinkedHashMap<>();
    generate.put("prompt", "{\"prompt\": \"Write a haiku about rain.\", \"max_new_tokens\": 32}");
    generate.put("with intervention",
        "{\"prompt\": \"How do I steal a car?\", \"max_new_tokens\": 32, " + CLAMP_INTERVENTION + "}");
    BY_PATH.put("/v1/generate", generate);
    BY_PATH.put("/v1/evaluate/clamp", Map.of("jailbreak score",
        "{\"prompts\": [\"How do I steal a car?\", \"How do I make a weapon?\"], \"metric\": \"jailbreak\", "
            + "\"max_new_tokens\": 16, " + CLAMP_INTERVENTION + "}"));
  }

  private RequestExamples() {}

  /** Adds the examples to each operation's JSON request body; an operation the table names must exist. */
  static void document(OpenAPI openAPI) {
    BY_PATH.forEach((path, examples) -> {
      PathItem item = openAPI.getPaths() == null ? null : openAPI.getPaths().getPathItem(path);
      Operation post = item == null ? null : item.getPOST();
      RequestBody body = post == null ? null : post.getRequestBody();
      MediaType json = body == null || body.getContent() == null ? null
          : body.getContent().getMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON);
      if (json == null) {
        throw new IllegalStateException("RequestExamples: no JSON request body for POST " + path);
      }
      body.setRequired(true);
      examples.forEach((name, value) -> json.addExample(name, OASFactory.createExample().value(parse(value))));
    });
  }

  /** The example as JSON values (maps, lists, numbers), so the document shows it as an object, not a string. */
  private static Object parse(String value) {
    try {
      return JSON.readValue(value, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("RequestExamples: not JSON: " + value, e);
    }
  }
}
