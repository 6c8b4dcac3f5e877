package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench attribution} and {@code bench generate} print their figures (fields, not timings) on the tiny shape. */
class BenchHotPathsCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] COMMON = {"tokens_per_s", "cpu_s_per_token", "peak_rss_bytes", "batch", "model_type"};

  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void synthesise() {
    model = tmp.resolve("tiny");
    CliRun s = CliRun.of("synth-model", "--shape", "tiny", "--out", model.toString());
    assertEquals(0, s.code(), s.err());
  }

  @Test
  void benchAttributionPrintsPerStepFigures() throws Exception {
    CliRun b = CliRun.of("bench", "attribution", model.toString(), "--batch", "2", "--seq", "8", "--layers", "0,1",
        "--steps", "2", "--warmup", "0", "--runs", "2", "--json");
    assertEquals(0, b.code(), b.err());
    JsonNode j = JSON.readTree(b.out());
    for (String key : COMMON) {
      assertTrue(j.has(key), key + " in " + b.out());
    }
    assertEquals("[0,1]", j.get("layers").toString());
    assertEquals(2, j.get("step_s").size());
    assertTrue(j.get("tokens_per_s").asDouble() > 0);
    assertTrue(j.get("peak_rss_bytes").asLong() > 0);
    CliRun bad = CliRun.of("bench", "attribution", model.toString(), "--layers", "99", "--json");
    assertNotEquals(0, bad.code());
    assertTrue(bad.err().contains("--layers"), bad.err());
  }

  @Test
  void benchGeneratePrintsNewTokenFigures() throws Exception {
    CliRun b = CliRun.of("bench", "generate", model.toString(), "--batch", "2", "--prompt-len", "5", "--new-tokens", "4",
        "--clamp-layers", "0,1", "--d-sae", "64", "--warmup", "0", "--runs", "2", "--json");
    assertEquals(0, b.code(), b.err());
    JsonNode j = JSON.readTree(b.out());
    for (String key : COMMON) {
      assertTrue(j.has(key), key + " in " + b.out());
    }
    assertEquals(4, j.get("new_tokens").asInt());
    assertEquals("[0,1]", j.get("clamp_layers").toString());
    assertTrue(j.get("tokens_per_s").asDouble() > 0);
  }
}
