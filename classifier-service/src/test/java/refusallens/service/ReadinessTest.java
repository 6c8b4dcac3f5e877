package refusallens.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import refusallens.service.fake.FakeEngineLoader;

/** Live at once, ready only once the model is loaded; /v1 answers 503 until then. */
@QuarkusTest
@TestProfile(ReadinessTest.HeldLoad.class)
class ReadinessTest {

  /** The loader waits for the test. */
  public static class HeldLoad implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("refusallens.test.hold-load", "true");
    }
  }

  @Inject FakeEngineLoader loader;

  @Test
  void readyOnlyOnceTheModelIsLoaded() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
        .body("checks.find { it.name == 'model' }.data.state", equalTo("loading"));
    given().contentType(ContentType.JSON).body(Map.of("prompt", "hello")).post("/v1/classify")
        .then().statusCode(503).header("Retry-After", "1").body("error", equalTo("model_not_ready"));
    given().get("/v1/model").then().statusCode(503).body("error", equalTo("model_not_ready"));
    loader.releaseLoad();
    ReadyAccess.await();
    given().contentType(ContentType.JSON).body(Map.of("prompt", "hello")).post("/v1/classify")
        .then().statusCode(200);
  }
}
