package refusallens.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import refusallens.service.fake.FakeEngineLoader;
import refusallens.service.inference.InferenceExecutor;

/** A saturated queue answers 503 with Retry-After at once, and the queued requests still complete. */
@QuarkusTest
@TestProfile(SaturationTest.SmallQueue.class)
class SaturationTest {

  /** A queue of 4 prompts, one prompt per forward pass. */
  public static class SmallQueue implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "refusallens.service.batching.queue-size", "4",
          // the queue must hold the largest request the limits allow (ConfigCheck)
          "refusallens.service.limits.max-batch-items", "4",
          "refusallens.service.limits.max-clamp-prompts", "4",
          "refusallens.service.batching.max-batch", "1",
          "refusallens.service.batching.retry-after-seconds", "3");
    }
  }

  @Inject FakeEngineLoader loader;
  @Inject InferenceExecutor executor;

  @BeforeEach
  void ready() {
    ReadyAccess.await();
  }

  static Response classify(String prompt) {
    return given().contentType(ContentType.JSON).body(Map.of("prompt", prompt)).post("/v1/classify");
  }

  @Test
  void fullQueueAnswers503WithRetryAfter() throws Exception {
    loader.engine().closeForward();
    List<CompletableFuture<Response>> held = new ArrayList<>();
    try {
      held.add(CompletableFuture.supplyAsync(() -> classify("held in the engine")));
      awaitDepth(0);
      Thread.sleep(100);
      for (int i = 0; i < 4; i++) {
        String p = "queued " + i;
        held.add(CompletableFuture.supplyAsync(() -> classify(p)));
      }
      awaitDepth(4);
      Response refused = classify("one too many");
      assertEquals(503, refused.statusCode());
      assertEquals("3", refused.header("Retry-After"));
      assertEquals("queue_full", refused.jsonPath().getString("error"));
      // A batch that does not fit is refused whole; generation shares the same bound.
      Response batch =
          given().contentType(ContentType.JSON)
              .body(Map.of("items", List.of(Map.of("prompt", "a"), Map.of("prompt", "b"))))
              .post("/v1/classify/batch");
      assertEquals(503, batch.statusCode());
      Response gen =
          given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "max_new_tokens", 2)).post("/v1/generate");
      assertEquals(503, gen.statusCode());
      assertEquals("3", gen.header("Retry-After"));
    } finally {
      loader.engine().openForward();
    }
    for (CompletableFuture<Response> f : held) {
      assertEquals(200, f.join().statusCode(), "queued requests complete once the model frees up");
    }
    String metrics = given().get("/q/metrics").asString();
    assertTrue(metrics.matches("(?s).*refusallens_queue_rejected_total(\\{[^}]*\\})? [1-9].*"), "rejections are counted");
    assertEquals(0, executor.depth());
  }

  private void awaitDepth(int depth) throws InterruptedException {
    // generous: under a load average of 25 on two cores one queued request took over 30 s to reach the queue
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (executor.depth() != depth && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(depth, executor.depth());
  }
}
