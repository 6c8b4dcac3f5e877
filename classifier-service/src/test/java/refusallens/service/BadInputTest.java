package refusallens.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import refusallens.service.fake.WordProbeEngine;

/**
 * Every bad-input class answers 400 or 413 with {error, detail} and never a stack trace. Limits are the
 * defaults of application.properties except where the test profile says otherwise.
 */
@QuarkusTest
class BadInputTest {

  @BeforeEach
  void ready() {
    ReadyAccess.await();
  }

  static ValidatableResponse post(String path, Object body, int status, String error) {
    ValidatableResponse r =
        given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(status)
            .contentType(ContentType.JSON)
            .body("error", equalTo(error))
            .body("detail", not(containsString("Exception")))
            .body("detail", not(containsString("\tat ")));
    return r;
  }

  @Test
  void malformedJson() {
    post("/v1/classify", "{\"prompt\": \"hi\"", 400, "malformed_json")
        .body("detail", containsString("not valid JSON"));
    post("/v1/classify", "not json at all", 400, "malformed_json");
    post("/v1/generate", "{\"prompt\": }", 400, "malformed_json");
  }

  @Test
  void wrongTypes() {
    post("/v1/classify", "{\"prompt\": 42}", 400, "wrong_type").body("detail", containsString("\"prompt\""));
    post("/v1/classify", "{\"prompt\": \"x\", \"threshold\": \"high\"}", 400, "wrong_type")
        .body("detail", containsString("threshold"));
    post("/v1/classify", "{\"messages\": \"hello\"}", 400, "wrong_type")
        .body("detail", containsString("messages"));
    post("/v1/classify/batch", "{\"items\": {\"prompt\": \"x\"}}", 400, "wrong_type");
    post("/v1/generate", "{\"prompt\": \"x\", \"max_new_tokens\": \"ten\"}", 400, "wrong_type")
        .body("detail", containsString("max_new_tokens"));
    post("/v1/classify", "[1, 2]", 400, "wrong_type");
  }

  @Test
  void unknownFieldsAreNamed() {
    post("/v1/classify", "{\"prompt\": \"x\", \"treshold\": 0.3}", 400, "unknown_field")
        .body("detail", containsString("treshold"));
  }

  @Test
  void emptyOrMissingPrompt() {
    post("/v1/classify", Map.of("prompt", ""), 400, "invalid_request").body("detail", containsString("empty"));
    post("/v1/classify", Map.of("prompt", "   "), 400, "invalid_request");
    post("/v1/classify", Map.of(), 400, "invalid_request").body("detail", containsString("required"));
    post("/v1/classify", Map.of("messages", List.of()), 400, "invalid_request");
    post("/v1/classify", Map.of("prompt", "a", "messages", List.of(Map.of("role", "user", "content", "b"))),
        400, "invalid_request").body("detail", containsString("not both"));
    post("/v1/classify", Map.of("messages", List.of(Map.of("role", "robot", "content", "b"))), 400,
        "invalid_request").body("detail", containsString("messages[0].role"));
    post("/v1/classify", Map.of("messages", List.of(Map.of("role", "system", "content", "b"))), 400,
        "invalid_request").body("detail", containsString("user turn"));
    post("/v1/classify/batch", Map.of("items", List.of(Map.of("prompt", "ok"), Map.of("prompt", ""))), 400,
        "invalid_request").body("detail", containsString("items[1]"));
    post("/v1/generate", Map.of("prompt", ""), 400, "invalid_request");
    given().contentType(ContentType.JSON).post("/v1/classify").then().statusCode(400)
        .body("error", equalTo("invalid_request"));
  }

  @Test
  void invalidUtf8() {
    byte[] body = "{\"prompt\": \"caf\u00e9 \"}".getBytes(StandardCharsets.UTF_8);
    byte[] bad = new byte[body.length + 2];
    System.arraycopy(body, 0, bad, 0, body.length - 2);
    bad[body.length - 2] = (byte) 0xC3; // a lead byte followed by a non-continuation byte
    bad[body.length - 1] = (byte) 0x28;
    bad[body.length] = '"';
    bad[body.length + 1] = '}';
    given().contentType("application/json; charset=utf-8").body(bad).post("/v1/classify")
        .then().statusCode(400).body("error", equalTo("invalid_utf8"))
        .body("detail", containsString("UTF-8"));
    byte[] lone = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xFF, '"', '}'};
    given().contentType(ContentType.JSON).body(lone).post("/v1/classify")
        .then().statusCode(400).body("error", equalTo("invalid_utf8"));
  }

  @Test
  void outOfRangeValues() {
    post("/v1/classify", Map.of("prompt", "x", "threshold", 1.5), 400, "invalid_request")
        .body("detail", containsString("threshold"));
    post("/v1/classify", Map.of("prompt", "x", "top_features", -1), 400, "invalid_request");
    post("/v1/generate", Map.of("prompt", "x", "max_new_tokens", 0), 400, "invalid_request");
    post("/v1/generate", Map.of("prompt", "x", "max_new_tokens", 100000), 400, "invalid_request")
        .body("detail", containsString("limit"));
  }

  @Test
  void limitsAnswer413() {
    post("/v1/classify", Map.of("prompt", "a".repeat(8001)), 413, "payload_too_large")
        .body("detail", containsString("characters"));
    post("/v1/classify", Map.of("prompt", "word ".repeat(600)), 413, "payload_too_large")
        .body("detail", containsString("tokens"));
    List<Map<String, String>> items = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      items.add(Map.of("prompt", "p" + i));
    }
    post("/v1/classify/batch", Map.of("items", items), 413, "payload_too_large")
        .body("detail", containsString("64"));
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      prompts.add("p" + i);
    }
    post("/v1/evaluate/clamp", Map.of("prompts", prompts, "intervention", clamp(2, 1)), 413,
        "payload_too_large");
  }

  static Map<String, Object> clamp(int layer, int feature) {
    return Map.of("interventions", List.of(Map.of("layer", layer, "features", List.of(feature), "scale", -3.0)));
  }

  @Test
  void interventionsNamingMissingLayersOrFeatures() {
    post("/v1/generate", Map.of("prompt", "x", "intervention", clamp(7, 1)), 400, "invalid_intervention")
        .body("detail", containsString("layer 7"));
    post("/v1/generate", Map.of("prompt", "x", "intervention", clamp(2, 100000)), 400, "invalid_intervention")
        .body("detail", containsString("feature 100000"));
    post("/v1/generate", Map.of("prompt", "x", "intervention", "clamp it"), 400, "invalid_request");
    post("/v1/evaluate/clamp", Map.of("prompts", List.of("x"), "intervention", clamp(9, 0)), 400,
        "invalid_intervention");
    post("/v1/evaluate/clamp", Map.of("prompts", List.of("x")), 400, "invalid_request")
        .body("detail", containsString("intervention"));
    post("/v1/evaluate/clamp",
        Map.of("prompts", List.of("x"), "intervention", clamp(2, WordProbeEngine.featureOf("bomb")), "judge", "vibes"),
        400, "invalid_request").body("detail", containsString("refusal-phrases"));
    post("/v1/evaluate/clamp",
        Map.of("prompts", List.of("x"), "intervention", clamp(2, 1), "metric", "harm"), 400, "invalid_request");
  }

  @Test
  void wrongMediaTypeAndUnknownPathsAnswerJson() {
    given().contentType(ContentType.TEXT).body("prompt").post("/v1/classify").then().statusCode(415)
        .body("error", equalTo("unsupported_media_type"));
    given().get("/v1/classify").then().statusCode(405).body("error", equalTo("method_not_allowed"));
    String notFound = given().get("/v1/nope").then().statusCode(404).extract().asString();
    assertTrue(!notFound.contains("Exception"), notFound);
  }
}
