package refusallens.service.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Documents the error answers of every /v1 operation with their JSON body ({@link ErrorBody}), in one place:
 * {@link ErrorMappers}, {@link ApiKeyFilter}, {@link HttpLimits} and {@link StrictUtf8Body} answer them for
 * every endpoint alike (404 and 405 are left to the framework's defaults, as for any HTTP API), so per-method annotations would only repeat this list.
 * It also adds the request examples of {@link RequestExamples}.
 */
public final class ErrorResponsesFilter implements OASFilter {

  static final String ERROR_SCHEMA = "ErrorBody";

  /** Status, and what it means, for operations that take a body. */
  private static final Map<String, String> BODY_ERRORS = new LinkedHashMap<>();

  /** Status, and what it means, for every operation. */
  private static final Map<String, String> COMMON_ERRORS = new LinkedHashMap<>();

  static {
    BODY_ERRORS.put("400", "Bad request: malformed JSON, invalid UTF-8, an unknown or missing field, a value out of "
        + "range, or an intervention that does not fit the loaded SAEs (error: invalid_request, malformed_json, "
        + "unknown_field, invalid_utf8, invalid_intervention, ...)");
    COMMON_ERRORS.put("401", "Missing or wrong API key (only when refusallens.service.api-key is set; error: unauthorized)");
    BODY_ERRORS.put("413", "Body, prompt, batch or token count over the service's limits (error: payload_too_large)");
    BODY_ERRORS.put("422", "The model produced non-finite activations on this input (error: non_finite_activation)");
    COMMON_ERRORS.put("414", "Request target longer than limits.max-uri-chars (error: uri_too_long)");
    COMMON_ERRORS.put("431", "Header section larger than limits.max-header-bytes (error: headers_too_large)");
    COMMON_ERRORS.put("503", "Model not loaded yet or inference queue full; retry after Retry-After seconds "
        + "(error: model_not_ready, queue_full)");
  }

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    if (openAPI.getComponents() == null) {
      openAPI.setComponents(OASFactory.createComponents());
    }
    openAPI.getComponents().addSchema(ERROR_SCHEMA, errorSchema());
    RequestExamples.document(openAPI);
    if (openAPI.getPaths() == null) {
      return;
    }
    for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
      if (!path.getKey().startsWith("/v1/")) {
        continue;
      }
      for (Map.Entry<PathItem.HttpMethod, Operation> op : path.getValue().getOperations().entrySet()) {
        boolean hasBody = op.getValue().getRequestBody() != null;
        Map<String, String> errors = new LinkedHashMap<>();
        if (hasBody) {
          errors.put("400", BODY_ERRORS.get("400"));
        }
        errors.put("401", COMMON_ERRORS.get("401"));
        errors.put("414", COMMON_ERRORS.get("414"));
        errors.put("431", COMMON_ERRORS.get("431"));
        if (hasBody) {
          errors.put("413", BODY_ERRORS.get("413"));
          errors.put("422", BODY_ERRORS.get("422"));
        }
        errors.put("503", COMMON_ERRORS.get("503"));
        errors.forEach((status, description) -> op.getValue().getResponses().addAPIResponse(status, response(description)));
      }
    }
  }

  private static APIResponse response(String description) {
    MediaType json = OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR_SCHEMA));
    Content content = OASFactory.createContent().addMediaType("application/json", json);
    return OASFactory.createAPIResponse().description(description).content(content);
  }

  /** {@link ErrorBody} as a schema: a stable code and a sentence for people. */
  private static Schema errorSchema() {
    return OASFactory.createSchema()
        .type(List.of(Schema.SchemaType.OBJECT))
        .description("The body of every error answer")
        .addProperty("error", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
            .description("A stable machine-readable code, such as unknown_field").example("unknown_field"))
        .addProperty("detail", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))
            .description("A sentence for people naming the field or limit"))
        .required(List.of("error", "detail"));
  }
}
