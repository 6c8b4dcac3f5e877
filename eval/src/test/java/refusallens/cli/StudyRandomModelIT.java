package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code study --quick} on a random-weight model (the tiny synthetic shape with synthetic GemmaScope SAEs): the
 * model refuses nothing, so the report (json, html, the --json summary) says the model does not refuse and marks
 * the refusal steps void instead of stating findings. Run with {@code --streamed} (mapped bf16 weights), the
 * residency an 8B model needs.
 */
class StudyRandomModelIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aModelThatRefusesNothingGetsVoidStepsNotFindings(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    CliRun.ok("synth-model", "--shape", "tiny", "--out", model.toString(), "--saes", "0,1,2,3");
    Path out = tmp.resolve("study");
    CliRun run = CliRun.of("study", "--quick", "--model", model.toString(), "--sae", model.resolve("saes").toString(),
        "--out", out.toString(), "--streamed", "--json"); // streamed residency, as an 8B model needs
    assertEquals(0, run.code(), run.err());
    JsonNode printed = JSON.readTree(run.out()).get("summary");
    JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
    JsonNode s = report.get("summary");
    assertEquals(s, printed, "--json prints the report's summary");
    assertFalse(s.get("model_refuses").asBoolean(), s.get("refusal_check").toString());
    assertEquals("streamed", report.get("provenance").get("weights").asText());
    JsonNode check = s.get("refusal_check");
    assertTrue(check.get("harmful_refusal_rate").asDouble() < check.get("floor").asDouble()
        || check.get("harmful_ci95").get(0).asDouble() <= check.get("harmless_ci95").get(1).asDouble(), check.toString());
    assertEquals(check.get("n_harmful").asInt(), report.get("sections").get("clamp").get("n_harmful").asInt());
    List<String> steps = new ArrayList<>();
    s.get("void_steps").forEach(x -> steps.add(x.asText()));
    assertEquals(List.of("features", "clamp", "suppression", "suffix", "probes"), steps);
    for (String step : steps) {
      assertFalse(report.get("sections").get(step).path("void").asText().isBlank(), step + " says why it is void");
    }
    for (String step : List.of("datasets", "extraction")) {
      assertFalse(report.get("sections").get(step).has("void"), step + " stands");
    }
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("The model does not refuse"), "the html summary says so");
    assertTrue(html.contains("4. Clamping (computed) - VOID"), "the clamp section is marked void");
    assertTrue(html.contains("VOID (the model does not refuse): Clamping the"), "the jailbreak finding is marked void");
  }
}
