package refusallens.service.model;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import refusallens.refusal.extract.Identity;
import refusallens.probes.Probe;
import refusallens.probes.ProbeView;

/** A probe trained on another model does not load: readiness stays DOWN and says why, /v1 answers 503. */
@QuarkusTest
@TestProfile(ProbeMismatchServiceTest.ForeignProbe.class)
class ProbeMismatchServiceTest {

  /** The real loader on the fixture, with the fixture probe re-recorded as trained on another model. */
  public static class ForeignProbe implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      FixtureArtifacts fx = new FixtureArtifacts();
      Probe p = fx.probe;
      ProbeView v = p.view();
      Probe foreign = new Probe(p.schemaVersion(), p.kind(), p.probeModel(),
          new ProbeView(v.spec(), v.resolved(), new Identity("some-other-model", "9f".repeat(32)), v.sae(), v.blocks()),
          p.standardization(), p.model(), p.threshold(), p.targetFpr(), p.lambda(), p.metrics(), p.provenance());
      try {
        Path file = Files.createTempDirectory("refusal-lens-foreign-probe-").resolve("probe.json");
        foreign.save(file);
        return Map.of(
            "quarkus.arc.exclude-types", "refusallens.service.fake.FakeEngineLoader",
            "refusallens.service.artifacts.model", fx.model.toAbsolutePath().toString(),
            "refusallens.service.artifacts.sae", fx.sae.toAbsolutePath().toString(),
            "refusallens.service.artifacts.features", fx.features.toString(),
            "refusallens.service.artifacts.probe", file.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void readinessNamesTheMismatchAndV1StaysUnavailable() throws InterruptedException {
    String path = "checks.find { it.name == 'model' }.data.state";
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline
        && given().get("/q/health/ready").then().extract().jsonPath().getString(path).equals("loading")) {
      Thread.sleep(50);
    }
    given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
        .body(path, containsString("loading failed"))
        .body(path, containsString("some-other-model"))
        .body(path, containsString("probe.json"))
        // names, not where the files lie (the temp directory, the shared fixtures)
        .body(path, not(containsString(System.getProperty("java.io.tmpdir") + "/")))
        .body(path, not(containsString("/fixtures/")));
    given().get("/q/health/live").then().statusCode(200);
    given().contentType(ContentType.JSON).body(Map.of("prompt", "hello")).post("/v1/classify")
        .then().statusCode(503).body("error", equalTo("model_not_ready"));
  }
}
