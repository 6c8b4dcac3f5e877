package refusallens.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import refusallens.service.api.ErrorBody;

/** The served OpenAPI document is true of the service: its examples succeed, its names are the wire names. */
@QuarkusTest
class OpenApiContractTest {

  private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

  private static JsonNode doc;

  @BeforeEach
  void ready() throws IOException {
    ReadyAccess.await();
    if (doc == null) {
      String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
      doc = new ObjectMapper().readTree(json);
    }
  }

  /** Every /v1 POST operation, as "path". */
  private static List<String> postPaths() {
    List<String> out = new ArrayList<>();
    doc.get("paths").fieldNames().forEachRemaining(p -> {
      if (p.startsWith("/v1/") && doc.get("paths").get(p).has("post")) {
        out.add(p);
      }
    });
    return out;
  }

  @Test
  void everyRequestExampleGetsTheDocumentedSuccess() {
    List<String> paths = postPaths();
    assertEquals(Set.of("/v1/classify", "/v1/classify/batch", "/v1/generate", "/v1/evaluate/clamp"),
        Set.copyOf(paths), "the POST operations the document lists");
    int posted = 0;
    for (String path : paths) {
      JsonNode op = doc.get("paths").get(path).get("post");
      assertTrue(op.path("responses").has("200"), path + " documents 200");
      JsonNode examples = op.path("requestBody").path("content").path("application/json").path("examples");
      assertTrue(examples.size() > 0, path + " has request examples: " + op.path("requestBody"));
      for (Iterator<Map.Entry<String, JsonNode>> it = examples.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> example = it.next();
        JsonNode value = example.getValue().get("value");
        String body = value.isTextual() ? value.asText() : value.toString();
        int status = given().contentType(ContentType.JSON).body(body).post(path).then().extract().statusCode();
        assertEquals(200, status, path + " example '" + example.getKey() + "': " + body);
        posted++;
      }
    }
    assertTrue(posted >= 4, "examples posted: " + posted);
  }

  @Test
  void schemaPropertiesAreSnakeCaseAsTheServiceReadsAndWritesThem() {
    Set<String> bad = new TreeSet<>();
    JsonNode schemas = doc.path("components").path("schemas");
    schemas.fields().forEachRemaining(s -> collectProperties(s.getKey(), s.getValue(), bad));
    assertTrue(schemas.has("ClassifyRequest") && schemas.get("ClassifyRequest").path("properties").has("top_features"),
        "ClassifyRequest documents top_features: " + schemas.get("ClassifyRequest"));
    assertTrue(schemas.path("ClassifyResponse").path("properties").has("probe_id"));
    assertTrue(bad.isEmpty(), "properties not in snake_case: " + bad);
  }

  private static void collectProperties(String where, JsonNode schema, Set<String> bad) {
    if (schema == null || !schema.isObject()) {
      return;
    }
    schema.path("properties").fields().forEachRemaining(p -> {
      if (!SNAKE.matcher(p.getKey()).matches()) {
        bad.add(where + "." + p.getKey());
      }
      collectProperties(where + "." + p.getKey(), p.getValue(), bad);
    });
    for (String nested : List.of("items", "additionalProperties")) {
      collectProperties(where, schema.get(nested), bad);
    }
  }

  @Test
  void interventionHasARealSchema() {
    for (String request : List.of("GenerateRequest", "ClampEvaluationRequest")) {
      JsonNode iv = doc.path("components").path("schemas").path(request).path("properties").path("intervention");
      assertTrue(iv.toString().contains("#/components/schemas/Intervention"), request + ".intervention: " + iv);
    }
    JsonNode schema = doc.path("components").path("schemas").path("Intervention");
    assertTrue(schema.path("properties").has("interventions"), schema.toString());
    JsonNode entry = doc.path("components").path("schemas").path("InterventionEntry").path("properties");
    for (String field : List.of("layer", "features", "scale", "value", "positions")) {
      assertTrue(entry.has(field), "InterventionEntry." + field + ": " + entry);
    }
    assertFalse(doc.toString().contains("JsonNode"), "no Jackson internals in the document");
  }

  @Test
  void everyErrorAnswerIsDocumentedWithItsJsonBody() {
    for (String path : postPaths()) {
      JsonNode responses = doc.get("paths").get(path).get("post").get("responses");
      for (String status : List.of("400", "401", "413", "414", "422", "431", "503")) {
        JsonNode schema = responses.path(status).path("content").path("application/json").path("schema");
        assertEquals("#/components/schemas/ErrorBody", schema.path("$ref").asText(), path + " " + status + ": " + responses);
      }
    }
    for (String path : List.of("/v1/model", "/v1/features", "/v1/probe")) {
      JsonNode responses = doc.get("paths").get(path).get("get").get("responses");
      for (String status : List.of("401", "414", "431", "503")) {
        assertTrue(responses.has(status), path + " " + status + ": " + responses);
      }
    }
    JsonNode body = doc.path("components").path("schemas").path("ErrorBody");
    Set<String> documented = new TreeSet<>();
    body.path("properties").fieldNames().forEachRemaining(documented::add);
    Set<String> written = new TreeSet<>();
    Arrays.stream(ErrorBody.class.getRecordComponents()).map(RecordComponent::getName).forEach(written::add);
    assertEquals(written, documented, "ErrorBody's schema lists the fields the service writes");
  }

  @Test
  void anUndocumentedCamelCaseFieldIsStillRefused() {
    given().contentType(ContentType.JSON).body("{\"prompt\": \"hi\", \"topFeatures\": 3}").post("/v1/classify")
        .then().statusCode(400).body("error", equalTo("unknown_field"));
  }
}
