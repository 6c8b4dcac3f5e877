package refusallens.eval.organism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.cli.CliRun;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.load.PublicSets;
import refusallens.eval.judge.TaskJudge;
import refusallens.eval.judge.Verdict;
import refusallens.core.model.Transformer;
import refusallens.organism.ComplianceAnswers;
import refusallens.organism.OrganismBudget;
import refusallens.core.tokenizer.Tokenizer;

/**
 * Organism v2 at the tiny budget through the CLI: {@code organism train --data} writes a loadable stage-1 model
 * and the stage-2 model with SAEs on every layer; both evaluate on the held-out public sets.
 */
class OrganismV2TinyEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  static Path data() {
    return Path.of(System.getProperty("refusallens.shared", "../shared"), "data");
  }

  @Test
  void trainBothStagesAndEvaluateOnHeldOutRealSets() throws Exception {
    Path a = tmp.resolve("v2");
    JsonNode report = JSON.readTree(CliRun.ok("organism", "train", "--out", a.toString(), "--budget", "tiny",
        "--seed", "3", "--data", data().toString(), "--json").out());
    OrganismBudget.PublicData pd = OrganismBudget.TINY.publicData();
    assertEquals("public-data-v2", report.get("recipe").asText());
    assertEquals(pd.spec().steps(), report.get("stage1").get("steps").asInt());
    assertEquals(pd.stage2Steps(), report.get("stage2").get("steps").asInt());
    assertTrue(report.get("corpus").get("public_harmful").asInt() > 0);
    Transformer model = Transformer.open(a);
    assertEquals(pd.spec().layers(), model.config().shape().numLayers());
    assertEquals(pd.spec().layers(), report.get("sae").size());
    assertTrue(Tokenizer.load(a).vocabSize() > OrganismBudget.TINY.spec().vocabSize(), "v2 vocabulary is sized for real text");
    Path stage1 = a.resolve("stage1");
    assertTrue(Files.isRegularFile(stage1.resolve("model.safetensors")));
    System.err.println("v2 tiny timings " + report.get("timings"));

    JsonNode eval = JSON.readTree(CliRun.ok("organism", "evaluate", "--model", a.toString(), "--data", data().toString(),
        "--real-limit", "2", "--harmful", "2", "--harmless", "2", "--attack-base", "0", "--no-sae",
        "--max-new-tokens", "6", "--max-prompt-tokens", "160", "--json").out());
    assertEquals(PublicSets.of(PublicSets.Role.HELD_OUT).size(), eval.get("held_out_real").size());
    JsonNode first = JSON.readTree(CliRun.ok("organism", "evaluate", "--model", stage1.toString(), "--harmful", "2",
        "--harmless", "2", "--attack-base", "0", "--no-sae", "--max-new-tokens", "6", "--json").out());
    assertEquals(2, first.get("n_harmful").asInt());
    // resuming a finished v2 run with another recipe is refused
    CliRun other = CliRun.of("organism", "train", "--out", a.toString(), "--budget", "tiny", "--seed", "3");
    assertTrue(other.code() != 0 && other.err().contains("--data"), other.err());
  }

  @Test
  void stageOneAnswersToPublicRequestsAreJudgedComplied() {
    PublicSets.Training t = PublicSets.training(data());
    TaskJudge judge = TaskJudge.standard();
    Random r = new Random(0);
    int n = 0;
    java.util.List<Prompt> requests = new java.util.ArrayList<>(t.of(Label.HARMFUL));
    requests.addAll(t.of(Label.HARMLESS).subList(0, 400));
    for (Prompt p : requests) {
      String answer = ComplianceAnswers.answer(p.userText(), t.target(p), r);
      Verdict v = judge.judge(p.userText(), answer);
      assertTrue(v.complied(), p.source() + ": " + p.userText() + " -> " + answer + " : " + v.reason());
      n++;
    }
    assertTrue(n > 100);
  }
}
