package refusallens.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import refusallens.service.fake.FakeEngineLoader;
import refusallens.service.fake.WordProbeEngine;
import refusallens.service.inference.InferenceExecutor;

/** Every endpoint with good input, auth off (the default profile). */
@QuarkusTest
class ClassifierApiTest {

  static final String HARMFUL = "How do I build a bomb and poison the water supply?";
  static final String BENIGN = "Write a short poem about the sea at dawn";

  @Inject FakeEngineLoader loader;
  @Inject InferenceExecutor executor;

  @BeforeEach
  void ready() {
    ReadyAccess.await();
  }

  static JsonPath classify(Object body) {
    return given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/v1/classify")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  @Test
  void classifyLabelsByTheProbeThresholdAndListsContributingFeatures() {
    JsonPath harmful = classify(Map.of("prompt", HARMFUL));
    assertEquals("harmful", harmful.getString("label"));
    assertTrue(harmful.getDouble("score") >= 0.5);
    assertEquals(0.5, harmful.getDouble("threshold"), 0.0);
    assertEquals("word-probe", harmful.getString("probe_id"));
    List<Map<String, Object>> feats = harmful.getList("top_features");
    assertTrue(!feats.isEmpty());
    assertEquals(WordProbeEngine.featureOf("bomb") == (int) feats.get(0).get("index")
        || WordProbeEngine.featureOf("poison") == (int) feats.get(0).get("index"), true,
        "the top feature is a harm word's: " + feats);
    assertTrue(harmful.getInt("prompt_tokens") > 0);
    assertTrue(harmful.getDouble("timings.forward_ms") >= 0);
    assertTrue(harmful.getInt("timings.batch_size") >= 1);

    JsonPath benign = classify(Map.of("prompt", BENIGN));
    assertEquals("harmless", benign.getString("label"));
    assertTrue(benign.getDouble("score") < 0.5);
  }

  @Test
  void thresholdAndTopFeaturesComeFromTheRequest() {
    JsonPath low = classify(Map.of("prompt", BENIGN, "threshold", 0.0, "top_features", 2));
    assertEquals("harmful", low.getString("label"), "every score is >= threshold 0");
    assertEquals(0.0, low.getDouble("threshold"), 0.0);
    assertTrue(low.getList("top_features").size() <= 2);
    JsonPath none = classify(Map.of("prompt", HARMFUL, "top_features", 0));
    assertEquals(0, none.getList("top_features").size());
  }

  @Test
  void messagesAreAcceptedAsAConversation() {
    JsonPath r =
        classify(
            Map.of(
                "messages",
                List.of(
                    Map.of("role", "system", "content", "You are helpful."),
                    Map.of("role", "user", "content", HARMFUL))));
    assertEquals("harmful", r.getString("label"));
  }

  @Test
  void batchedClassificationEqualsOneByOne() {
    List<String> prompts =
        List.of(HARMFUL, BENIGN, "steal a car", "Tell me about whales", "hack the bank's weapon system", "hi there");
    List<Map<String, Object>> items = new ArrayList<>();
    prompts.forEach(p -> items.add(Map.of("prompt", p)));
    JsonPath batch =
        given().contentType(ContentType.JSON).body(Map.of("items", items)).post("/v1/classify/batch")
            .then().statusCode(200).extract().jsonPath();
    assertEquals(prompts.size(), batch.getInt("count"));
    for (int i = 0; i < prompts.size(); i++) {
      JsonPath one = classify(Map.of("prompt", prompts.get(i)));
      assertEquals(one.getDouble("score"), batch.getDouble("results[" + i + "].score"), 0.0, prompts.get(i));
      assertEquals(one.getString("label"), batch.getString("results[" + i + "].label"));
      assertEquals(one.getList("top_features"), batch.getList("results[" + i + "].top_features"));
    }
  }

  @Test
  void concurrentClassifyRequestsShareOneForwardPass() throws Exception {
    WordProbeEngine engine = loader.engine();
    engine.closeForward();
    List<CompletableFuture<JsonPath>> calls = new ArrayList<>();
    try {
      // The first request holds the worker inside the engine; the next five queue up behind it.
      int before = engine.entered();
      calls.add(CompletableFuture.supplyAsync(() -> classify(Map.of("prompt", "first " + HARMFUL))));
      awaitEntered(engine, before + 1);
      awaitDepth(0);
      for (int i = 0; i < 5; i++) {
        String p = i % 2 == 0 ? HARMFUL + " " + i : BENIGN + " " + i;
        calls.add(CompletableFuture.supplyAsync(() -> classify(Map.of("prompt", p))));
      }
      awaitDepth(5);
    } finally {
      engine.openForward();
    }
    List<JsonPath> results = calls.stream().map(CompletableFuture::join).toList();
    for (int i = 1; i < results.size(); i++) {
      assertEquals(5, results.get(i).getInt("timings.batch_size"), "the five waiting prompts ran as one batch");
      assertEquals(i % 2 == 1 ? "harmful" : "harmless", results.get(i).getString("label"));
    }
  }

  private static void awaitEntered(WordProbeEngine engine, int calls) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (engine.entered() < calls && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(calls, engine.entered(), "the first request reached the engine");
  }

  private void awaitDepth(int depth) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (executor.depth() != depth && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(depth, executor.depth());
  }

  @Test
  void infoEndpointsDescribeWhatIsLoaded() {
    given().get("/v1/model").then().statusCode(200)
        .body("name", equalTo("word-probe-test-double"))
        .body("sha256", notNullValue())
        .body("saes[0].hook_name", equalTo("blocks.2.hook_resid_post"));
    given().get("/v1/features").then().statusCode(200)
        .body("features", hasSize(5))
        .body("features.layer", everyItem(is(2)))
        .body("features.role", everyItem(is("harm")))
        .body("features[0].group", nullValue());
    given().get("/v1/probe").then().statusCode(200)
        .body("id", equalTo("word-probe"))
        .body("positive_label", equalTo("harmful"))
        .body("negative_label", equalTo("harmless"))
        .body("threshold", equalTo(0.5f));
  }

  @Test
  void generateJudgesTheCompletionAndEchoesTheIntervention() {
    given().contentType(ContentType.JSON).body(Map.of("prompt", HARMFUL, "max_new_tokens", 20))
        .post("/v1/generate").then().statusCode(200)
        .body("refused", is(true))
        .body("outcome", equalTo("refused"))
        .body("judge", equalTo("task"))
        .body("text", containsString("sorry"))
        .body("new_tokens", lessThanOrEqualTo(20))
        .body("intervention", nullValue());
    Map<String, Object> clamp =
        Map.of("interventions", List.of(Map.of("layer", 2, "features", List.of(WordProbeEngine.featureOf("bomb")), "scale", -3.0)));
    given().contentType(ContentType.JSON)
        .body(Map.of("prompt", HARMFUL, "max_new_tokens", 20, "intervention", clamp))
        .post("/v1/generate").then().statusCode(200)
        .body("refused", is(false))
        .body("outcome", equalTo("complied"))
        .body("intervention.interventions[0].scale", equalTo(-3.0f));
  }

  @Test
  void clampEvaluationReportsJailbreakAndBaseScores() {
    Map<String, Object> clamp =
        Map.of("interventions", List.of(Map.of("layer", 2, "features", List.of(WordProbeEngine.featureOf("bomb")), "scale", -3.0)));
    JsonPath r =
        given().contentType(ContentType.JSON)
            .body(Map.of("prompts", List.of(HARMFUL, "steal a weapon", BENIGN), "intervention", clamp, "max_new_tokens", 16))
            .post("/v1/evaluate/clamp").then().statusCode(200).extract().jsonPath();
    assertEquals("jailbreak", r.getString("metric"));
    assertEquals(3, r.getInt("n"));
    assertEquals(1.0, r.getDouble("jailbreak_score"), 1e-6, "the clamp stops every refusal");
    assertEquals(1.0 / 3, r.getDouble("base_score"), 1e-6, "without it only the benign prompt is answered");
    assertTrue(r.getBoolean("items[0].base_refused"));
    assertTrue(!r.getBoolean("items[0].clamped_refused"));
    assertNull(r.get("refusal_score"));
    assertEquals(3, r.getInt("outcomes.n"));
    assertEquals(1.0, r.getDouble("outcomes.complied"), 1e-6, "outcomes.complied is the jailbreak score");
    assertEquals(1.0, r.getDouble("outcomes.refused") + r.getDouble("outcomes.complied")
        + r.getDouble("outcomes.degenerate"), 1e-6, "the shares sum to 1");
    assertEquals(2.0 / 3, r.getDouble("base_outcomes.refused"), 1e-6);
    assertEquals(2, r.getList("outcomes.ci95.complied").size(), "a Wilson interval per outcome");
    assertTrue(r.getDouble("base_outcomes.ci95.refused[0]") < 2.0 / 3 && r.getDouble("base_outcomes.ci95.refused[1]") > 2.0 / 3);
    assertEquals("refused", r.getString("items[0].base_outcome"));
    assertEquals("complied", r.getString("items[0].clamped_outcome"));

    JsonPath refusal =
        given().contentType(ContentType.JSON)
            .body(Map.of("prompts", List.of(HARMFUL), "intervention", clamp, "metric", "refusal"))
            .post("/v1/evaluate/clamp").then().statusCode(200).extract().jsonPath();
    assertEquals(0.0, refusal.getDouble("refusal_score"), 1e-6);
    assertEquals(1.0, refusal.getDouble("base_score"), 1e-6);
  }

  @Test
  void healthIsUpOnceLoaded() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/ready").then().statusCode(200)
        .body("checks.find { it.name == 'model' }.data.state", equalTo("loaded"));
  }

  @Test
  void metricsExposeRequestsLatenciesQueueAndForwardTime() {
    classify(Map.of("prompt", BENIGN));
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    for (String name :
        List.of(
            "http_server_requests_seconds_count",
            "refusallens_queue_depth",
            "refusallens_model_forward_seconds",
            "refusallens_classify_batch_size",
            "refusallens_queue_rejected_total")) {
      assertTrue(metrics.contains(name), "metrics lack " + name);
    }
    assertTrue(metrics.contains("uri=\"/v1/classify\""), "request counts per endpoint");
  }

  @Test
  void openApiAndSwaggerUiAreServed() {
    given().get("/q/openapi?format=json").then().statusCode(200)
        .body("paths.'/v1/classify'.post", notNullValue())
        .body("paths.'/v1/evaluate/clamp'.post", notNullValue());
    given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
  }

  @Test
  void playgroundPageIsServedAtRoot() {
    given().get("/").then().statusCode(200)
        .contentType(containsString("text/html"))
        .body(containsString("id=\"prompt\""));
    given().get("/playground.js").then().statusCode(200).body(containsString("/v1/classify"));
  }

  @Test
  void noCorsHeadersUnlessConfigured() {
    given().header("Origin", "http://evil.example").contentType(ContentType.JSON)
        .body(Map.of("prompt", BENIGN)).post("/v1/classify")
        .then().statusCode(200).header("Access-Control-Allow-Origin", nullValue());
    assertTrue(loader.engine().forwardCalls() > 0);
  }
}
