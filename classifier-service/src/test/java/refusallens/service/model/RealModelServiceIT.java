package refusallens.service.model;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import refusallens.service.ReadyAccess;

/**
 * The service with its production wiring (ArtifactEngineLoader, ND4J inside Quarkus in JVM mode) on the
 * shared gemma2 fixture: classify, batched equals one-by-one, clamped generation, info endpoints.
 */
@QuarkusTest
@TestProfile(RealModelServiceIT.FixtureModel.class)
class RealModelServiceIT {

  /** The real loader (the test double excluded) on the fixture artifacts. */
  public static class FixtureModel implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      FixtureArtifacts fx = new FixtureArtifacts();
      return Map.of(
          "quarkus.arc.exclude-types", "refusallens.service.fake.FakeEngineLoader",
          "refusallens.service.artifacts.model", fx.model.toAbsolutePath().toString(),
          "refusallens.service.artifacts.sae", fx.sae.toAbsolutePath().toString(),
          "refusallens.service.artifacts.features", fx.features.toString(),
          "refusallens.service.artifacts.probe", fx.probeFile.toString());
    }
  }

  @BeforeEach
  void ready() {
    ReadyAccess.await();
  }

  static JsonPath classify(String prompt) {
    return given().contentType(ContentType.JSON).body(Map.of("prompt", prompt, "top_features", 5))
        .post("/v1/classify").then().statusCode(200).extract().jsonPath();
  }

  @Test
  void batchedClassificationEqualsOneByOneOnTheRealModel() {
    List<String> prompts = List.of("How do I bake bread?", "How do I build a bomb?", "Tell me a story about a dog.");
    List<Map<String, Object>> items = new ArrayList<>();
    prompts.forEach(p -> items.add(Map.of("prompt", p, "top_features", 5)));
    JsonPath batch = given().contentType(ContentType.JSON).body(Map.of("items", items))
        .post("/v1/classify/batch").then().statusCode(200).extract().jsonPath();
    for (int i = 0; i < prompts.size(); i++) {
      JsonPath one = classify(prompts.get(i));
      assertEquals(one.getDouble("score"), batch.getDouble("results[" + i + "].score"), 1e-5);
      assertEquals(one.getString("label"), batch.getString("results[" + i + "].label"));
      assertEquals(one.getInt("prompt_tokens"), batch.getInt("results[" + i + "].prompt_tokens"));
      assertEquals(
          one.getList("top_features.index"), batch.getList("results[" + i + "].top_features.index"));
    }
    assertTrue(classify("How do I bake bread?").getList("top_features").size() <= 5);
  }

  @Test
  void clampedGenerationAndItsErrors() {
    Map<String, Object> clamp =
        Map.of("interventions", List.of(Map.of("layer", 2, "features", List.of(62, 248), "scale", -3.0)));
    given().contentType(ContentType.JSON)
        .body(Map.of("prompt", "How do I bake bread?", "max_new_tokens", 6, "intervention", clamp))
        .post("/v1/generate").then().statusCode(200)
        .body("intervention.interventions[0].layer", equalTo(2))
        .body("judge", equalTo("task"));
    given().contentType(ContentType.JSON)
        .body(Map.of("prompt", "x", "intervention",
            Map.of("interventions", List.of(Map.of("layer", 7, "features", List.of(1), "scale", 0.0)))))
        .post("/v1/generate").then().statusCode(400)
        .body("error", equalTo("invalid_intervention")).body("detail", containsString("layer 7"));
    given().contentType(ContentType.JSON)
        .body(Map.of("prompts", List.of("How do I bake bread?"), "intervention", clamp, "max_new_tokens", 4))
        .post("/v1/evaluate/clamp").then().statusCode(200).body("n", equalTo(1))
        .body("outcomes.n", equalTo(1)).body("base_outcomes.n", equalTo(1))
        .body("items[0].clamped_outcome", org.hamcrest.Matchers.oneOf("refused", "complied", "degenerate"));
  }

  @Test
  void conversationsGemmasTemplateRefusesAnswer400NamingTheTurn() {
    List<Map<String, String>> system =
        List.of(Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", "hi"));
    List<Map<String, String>> twoUsers =
        List.of(Map.of("role", "user", "content", "hi"), Map.of("role", "user", "content", "hello again"));
    for (String path : List.of("/v1/classify", "/v1/generate")) {
      given().contentType(ContentType.JSON).body(Map.of("messages", system)).post(path).then().statusCode(400)
          .contentType(ContentType.JSON).body("error", equalTo("invalid_request"))
          .body("detail", equalTo("messages[0]: the model's chat template rejects this conversation here: System role not supported"));
      given().contentType(ContentType.JSON).body(Map.of("messages", twoUsers)).post(path).then().statusCode(400)
          .body("error", equalTo("invalid_request"))
          .body("detail", containsString("messages[1]: the model's chat template rejects this conversation here: Conversation roles must alternate"));
    }
    given().contentType(ContentType.JSON)
        .body(Map.of("items", List.of(Map.of("prompt", "fine"), Map.of("messages", twoUsers))))
        .post("/v1/classify/batch").then().statusCode(400).body("error", equalTo("invalid_request"))
        .body("detail", startsWith("items[1]: messages[1]: the model's chat template rejects"));
    // alternating turns are fine
    given().contentType(ContentType.JSON)
        .body(Map.of("messages", List.of(Map.of("role", "user", "content", "hi"), Map.of("role", "assistant", "content", "hello"),
            Map.of("role", "user", "content", "how do I bake bread?"))))
        .post("/v1/classify").then().statusCode(200);
  }

  @Test
  void infoEndpointsShowNamesAndHashesNotPaths() {
    FixtureArtifacts fx = new FixtureArtifacts();
    for (String path : List.of("/v1/model", "/v1/features", "/v1/probe")) {
      String body = given().get(path).then().statusCode(200).extract().asString();
      // the fixture lies under ../shared/fixtures, features and probe under the temp directory
      for (String where : List.of(fx.root.toAbsolutePath().normalize().toString(), "/fixtures/", System.getProperty("java.io.tmpdir"))) {
        assertFalse(body.contains(where), path + " discloses " + where + ": " + body);
      }
    }
    given().get("/v1/model").then().body("name", equalTo("model")).body("saes[0].directory", equalTo("sae"))
        .body("sha256.size()", equalTo(64));
    given().get("/v1/probe").then().body("file", equalTo("probe.json"));
    given().get("/v1/features").then().body("file", equalTo("features.json"));
  }

  @Test
  void infoEndpointsShowTheLoadedArtifacts() {
    given().get("/v1/model").then().statusCode(200)
        .body("architecture", equalTo("gemma2")).body("layers", equalTo(4)).body("saes[0].layer", equalTo(2));
    given().get("/v1/features").then().statusCode(200).body("features.index", equalTo(List.of(62, 248)));
    given().get("/v1/probe").then().statusCode(200).body("positive_label", equalTo("harmful"))
        .body("sha256.size()", equalTo(64));
  }
}
