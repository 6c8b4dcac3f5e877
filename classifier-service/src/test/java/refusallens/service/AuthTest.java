package refusallens.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With an API key configured every /v1 endpoint needs it; health, metrics and the page stay open. */
@QuarkusTest
@TestProfile(AuthTest.WithApiKey.class)
class AuthTest {

  static final String KEY = "s3cret-test-key";

  /** Turns the API key on. */
  public static class WithApiKey implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("refusallens.service.api-key", KEY);
    }
  }

  @BeforeEach
  void ready() {
    ReadyAccess.await();
  }

  static final List<String[]> ENDPOINTS =
      List.of(
          new String[] {"POST", "/v1/classify", "{\"prompt\": \"hello\"}"},
          new String[] {"POST", "/v1/classify/batch", "{\"items\": [{\"prompt\": \"hello\"}]}"},
          new String[] {"POST", "/v1/generate", "{\"prompt\": \"hello\", \"max_new_tokens\": 4}"},
          new String[] {"POST", "/v1/evaluate/clamp",
              "{\"prompts\": [\"hello\"], \"intervention\": {\"interventions\": [{\"layer\": 2, \"features\": [1], \"scale\": -1}]}}"},
          new String[] {"GET", "/v1/model", null},
          new String[] {"GET", "/v1/features", null},
          new String[] {"GET", "/v1/probe", null});

  @Test
  void everyV1EndpointAnswers401WithoutTheKey() {
    for (String[] e : ENDPOINTS) {
      var req = given().contentType(ContentType.JSON);
      if (e[2] != null) {
        req = req.body(e[2]);
      }
      req.request(e[0], e[1]).then().statusCode(401).body("error", equalTo("unauthorized"));
      var wrong = given().contentType(ContentType.JSON).header("Authorization", "Bearer nope");
      if (e[2] != null) {
        wrong = wrong.body(e[2]);
      }
      wrong.request(e[0], e[1]).then().statusCode(401).body("error", equalTo("unauthorized"));
    }
  }

  @Test
  void everyV1EndpointAnswersWithTheKey() {
    for (String[] e : ENDPOINTS) {
      var req = given().contentType(ContentType.JSON).header("Authorization", "Bearer " + KEY);
      if (e[2] != null) {
        req = req.body(e[2]);
      }
      req.request(e[0], e[1]).then().statusCode(200);
    }
  }

  @Test
  void healthMetricsAndPageStayOpen() {
    given().get("/q/health/live").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200);
    given().get("/").then().statusCode(200);
  }
}
