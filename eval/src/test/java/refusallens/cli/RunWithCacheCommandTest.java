package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SafetensorsFile;

/**
 * {@code run-with-cache} run in-process on fixture prompts reproduces the reference tensors;
 * {@code synth-model} + {@code bench extract --json} run end to end on the tiny shape.
 */
class RunWithCacheCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SHARED = Path.of(System.getProperty("refusallens.shared", "../../shared"));

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void writesTheReferenceTensorsOfAFixturePrompt(String arch) throws Exception {
    Path fixture = SHARED.resolve("fixtures").resolve(arch);
    JsonNode prompts = JSON.readTree(fixture.resolve("reference.json").toFile()).get("prompts");
    try (SafetensorsFile ref = SafetensorsFile.open(fixture.resolve("reference.safetensors"))) {
      // one prompt per architecture keeps the suite fast; the library tests cover every prompt
      for (int p = prompts.size() - 1; p < prompts.size(); p++) {
        long[] ids = ref.get("p" + p + ".input_ids").castTo(DataType.LONG).data().asLong();
        String idList = Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(","));
        Path out = tmp.resolve(arch + "-p" + p + ".safetensors");
        int target = prompts.get(p).get("metric_target").asInt();
        // llama3 runs with weights streamed (widened per use, in the backward pass too): the same tensors
        List<String> args = new java.util.ArrayList<>(List.of("run-with-cache", fixture.resolve("model").toString(), "--ids",
            idList, "--out", out.toString(), "--grad-target", Integer.toString(target), "--json"));
        if (arch.equals("llama3")) {
          args.add("--streamed");
        }
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonNode summary = JSON.readTree(r.out());
        assertEquals(prompts.get(p).get("metric_value").asDouble(), summary.get("metric").asDouble(), 1e-4);
        try (SafetensorsFile got = SafetensorsFile.open(out)) {
          assertArrayEquals(ids, got.get("input_ids").castTo(DataType.LONG).data().asLong());
          for (String name : new String[] {"logits", "resid_post", "grad_resid_post"}) {
            INDArray expected = ref.getFloat("p" + p + "." + name);
            INDArray actual = got.getFloat(name);
            assertArrayEquals(expected.shape(), actual.shape(), name);
            double tol = name.startsWith("grad") ? 1e-3 : 1e-4;
            double err = actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
            assertTrue(err <= tol, arch + " p" + p + " " + name + " rel err " + err);
          }
        }
      }
    }
  }

  @Test
  void promptIsTokenizedWithTheModelsTokenizer() throws Exception {
    Path fixture = SHARED.resolve("fixtures/llama3");
    JsonNode tok0 = JSON.readTree(fixture.resolve("reference.json").toFile()).get("tokenizer").get(0);
    Path out = tmp.resolve("prompt.safetensors");
    CliRun r = CliRun.of("run-with-cache", fixture.resolve("model").toString(), "--prompt", tok0.get("text").asText(),
        "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    long[] expected = new long[tok0.get("ids_with_special").size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = tok0.get("ids_with_special").get(i).asLong();
    }
    try (SafetensorsFile got = SafetensorsFile.open(out)) {
      assertArrayEquals(expected, got.get("input_ids").castTo(DataType.LONG).data().asLong());
      assertEquals(3, got.info("resid_post").shape().length);
    }
  }

  @Test
  void badInputIsACommandError() {
    Path model = SHARED.resolve("fixtures/gemma2/model");
    CliRun r = CliRun.of("run-with-cache", model.toString(), "--ids", "1,2,99999", "--out", tmp.resolve("x.safetensors").toString());
    assertEquals(1, r.code(), "an out-of-vocabulary id is a command error");
    r = CliRun.of("run-with-cache", model.toString(), "--ids", "1,2", "--grad-target", "-1", "--out", tmp.resolve("x.safetensors").toString());
    assertEquals(1, r.code(), "a negative --grad-target is a command error");
  }

  @Test
  void synthModelThenBenchExtractPrintsFigures() throws Exception {
    Path dir = tmp.resolve("tiny");
    CliRun s = CliRun.of("synth-model", "--shape", "tiny", "--out", dir.toString(), "--json");
    assertEquals(0, s.code(), s.err());
    CliRun b = CliRun.of("bench", "extract", dir.toString(), "--batch", "2", "--seq", "8", "--upto", "1", "--runs", "2", "--json");
    assertEquals(0, b.code(), b.err());
    JsonNode j = JSON.readTree(b.out());
    for (String key : new String[] {"tokens_per_s", "median_s", "peak_rss_bytes", "batch", "seq", "layers"}) {
      assertTrue(j.has(key), key + " in " + b.out());
    }
    assertEquals(2, j.get("layers").asInt());
    assertTrue(j.get("tokens_per_s").asDouble() > 0);
    // the synthetic checkpoint is a runnable model with a tokenizer
    CliRun w = CliRun.of("run-with-cache", dir.toString(), "--prompt", "hello there", "--chat", "--out", tmp.resolve("t.safetensors").toString());
    assertEquals(0, w.code(), w.err());
    CliRun again = CliRun.of("synth-model", "--shape", "tiny", "--out", dir.toString());
    assertNotEquals(0, again.code());
  }
}
