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
 * model refuses nothing, so the early refusal check skips the void steps and the report says which and why; with
 * {@code --run-void-steps} they are computed and marked void instead of stating findings. Run with {@code --streamed} (mapped bf16 weights), the
 * residency an 8B model needs.
 */
class StudyRandomModelIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aModelThatRefusesNothingGetsVoidStepsNotFindings(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    CliRun.ok("synth-model", "--shape", "tiny", "--out", model.toString(), "--saes", "0,1,2,3");
    Path out = tmp.resolve("study");
    List<String> args = List.of("study", "--quick", "--model", model.toString(), "--sae", model.resolve("saes").toString(),
        "--out", out.toString(), "--streamed", "--json"); // streamed residency, as an 8B model needs

    // by default the early refusal check finds no refusal and the void steps are not computed, but reported
    CliRun skipped = CliRun.of(args.toArray(String[]::new));
    assertEquals(0, skipped.code(), skipped.err());
    JsonNode quick = JSON.readTree(out.resolve("report.json").toFile());
    JsonNode qs = quick.get("summary");
    assertEquals(qs, JSON.readTree(skipped.out()).get("summary"), "--json prints the report's summary");
    assertFalse(qs.get("model_refuses").asBoolean(), qs.get("refusal_check").toString());
    List<String> notComputed = new ArrayList<>();
    qs.get("void_steps_skipped").forEach(x -> notComputed.add(x.asText()));
    assertEquals(List.of("features", "dashboards", "clamp", "suppression", "suffix", "probes"), notComputed);
    for (String step : notComputed) {
      JsonNode sec = quick.get("sections").get(step);
      assertEquals("not run", sec.get("status").asText(), step);
      assertFalse(sec.get("void").asText().isBlank(), step + " says why it is void");
      assertTrue(sec.get("reason").asText().contains(qs.get("refusal_check").get("reason").asText()), step);
      assertFalse(Files.exists(out.resolve("steps").resolve(step + ".json")), step + " left no marker: not computed");
    }
    assertFalse(Files.exists(out.resolve("features.json")));
    // the attacks' jailbroken flags serve only the skipped probes: not judged (no greedy completions spent on them)
    assertEquals(0, quick.get("sections").get("extraction").get("jailbroken_judged_rows").asInt());
    for (JsonNode st : quick.get("provenance").get("steps")) {
      boolean computed = st.get("status").asText().equals("computed");
      assertEquals(List.of("datasets", "refusal", "extract").contains(st.get("step").asText()), computed, st.toString());
      if (computed) { // each computed step's wall time, CPU time and peak RSS
        assertTrue(st.get("seconds").asDouble() > 0 && st.get("cpu_seconds").asDouble() > 0
            && st.get("peak_rss_bytes").asLong() > 0, st.toString());
      }
    }
    assertTrue(skipped.err().contains("the model does not refuse"), skipped.err());
    assertTrue(skipped.err().matches("(?s).*extract: done in [0-9.]+ s wall, [0-9.]+ CPU-s, peak RSS [0-9.]+ GiB.*"),
        skipped.err());
    String quickHtml = Files.readString(out.resolve("report.html"));
    assertTrue(quickHtml.contains("The model does not refuse") && quickHtml.contains("were not computed"), "html says so");
    // the skipped probes step ran no raw probe either: nothing in the report may say they stand
    assertTrue(quickHtml.contains("Only the datasets and the activations stand."), "html says what stands");
    assertFalse(quick.toString().contains("probes stand") || quickHtml.contains("probes stand"), "raw probes not claimed");

    // --run-void-steps: the same study resumes (datasets and refusal check reused) and computes them; the activations
    // again, now with the attacks' jailbroken flags the probes use
    List<String> all = new ArrayList<>(args);
    all.add("--run-void-steps");
    CliRun run = CliRun.of(all.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());
    JsonNode printed = JSON.readTree(run.out()).get("summary");
    JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
    JsonNode s = report.get("summary");
    assertEquals(s, printed, "--json prints the report's summary");
    for (JsonNode st : report.get("provenance").get("steps")) {
      if (List.of("datasets", "refusal").contains(st.get("step").asText())) {
        assertEquals("reused", st.get("status").asText(), st.toString());
      } else if (!st.get("step").asText().equals("organism")) {
        assertEquals("computed", st.get("status").asText(), st.toString());
      }
    }
    assertFalse(s.get("model_refuses").asBoolean(), s.get("refusal_check").toString());
    assertEquals("streamed", report.get("provenance").get("weights").asText());
    JsonNode check = s.get("refusal_check");
    assertTrue(check.get("harmful_refusal_rate").asDouble() < check.get("floor").asDouble()
        || check.get("harmful_ci95").get(0).asDouble() <= check.get("harmless_ci95").get(1).asDouble(), check.toString());
    assertEquals(check.get("n_harmful").asInt(), report.get("sections").get("clamp").get("n_harmful").asInt());
    assertEquals(qs.get("refusal_check").get("n_harmful"), check.get("n_harmful"), "the early check used the clamp's prompts");
    List<String> steps = new ArrayList<>();
    s.get("void_steps").forEach(x -> steps.add(x.asText()));
    assertEquals(List.of("features", "clamp", "suppression", "suffix", "probes"), steps);
    for (String step : steps) {
      assertFalse(report.get("sections").get(step).path("void").asText().isBlank(), step + " says why it is void");
    }
    assertTrue(report.get("sections").get("extraction").get("jailbroken_judged_rows").asInt() > 0, "flags judged now");
    for (String step : List.of("datasets", "extraction")) {
      assertFalse(report.get("sections").get(step).has("void"), step + " stands");
    }
    assertTrue(Files.readString(out.resolve("report.html")).contains("only the datasets, the activations and the"
        + " raw probes stand"), "computed void steps: the raw probes ran and stand");
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("The model does not refuse"), "the html summary says so");
    assertTrue(html.contains("4. Clamping (computed) - VOID"), "the clamp section is marked void");
    assertTrue(html.contains("VOID (the model does not refuse): Clamping the"), "the jailbreak finding is marked void");
  }
}
