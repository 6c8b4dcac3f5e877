package refusallens.eval.organism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.cli.CliRun;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.model.Transformer;

/**
 * The tiny budget end to end through the CLI: train, save, reload through the normal runtime, evaluate;
 * then an interrupted run (its directory cut back to the last checkpoint) resumes and reaches the same weights.
 */
class OrganismTinyEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void trainEvaluateAndResume() throws Exception {
    Path a = tmp.resolve("a");
    JsonNode report = JSON.readTree(cli("organism", "train", "--out", a.toString(), "--budget", "tiny", "--seed", "7", "--json"));
    assertEquals("tiny", report.get("budget").asText());
    Transformer model = Transformer.open(a);
    assertEquals(2, model.config().shape().numLayers());
    for (int layer = 0; layer < 2; layer++) {
      JsonNode l = report.get("sae").get(Integer.toString(layer));
      assertTrue(l.get("l0").asDouble() <= 8.0 + 1e-9, "TopK SAE L0 must not exceed k: " + l);
      assertTrue(l.get("fvu").asDouble() < 1.0, "SAE must explain some variance: " + l);
    }

    JsonNode eval = JSON.readTree(cli("organism", "evaluate", "--model", a.toString(), "--json",
        "--harmful", "8", "--harmless", "8", "--attack-base", "2", "--max-new-tokens", "8"));
    assertEquals(8, eval.get("n_harmful").asInt());
    assertEquals(8, eval.get("n_harmless").asInt());
    double refusal = eval.get("harmful_refusal_rate").asDouble();
    assertTrue(refusal >= 0 && refusal <= 1);
    assertEquals(11, eval.get("attacks").size());
    assertEquals(2, eval.get("sae").size());
    for (JsonNode l : eval.get("sae")) {
      assertEquals(report.get("sae").get("0").get("l0").getNodeType(), l.get("l0").getNodeType());
    }

    // interrupted run: everything after the last model checkpoint is gone
    Path b = tmp.resolve("b");
    copyTree(a, b);
    for (String f : new String[] {"config.json", "model.safetensors", "model-training.json", "training-report.json"}) {
      Files.delete(b.resolve(f));
    }
    cli("organism", "train", "--out", b.toString(), "--budget", "tiny", "--seed", "7", "--json");
    JsonNode resumed = JSON.readTree(b.resolve("model-training.json").toFile());
    assertTrue(resumed.get("resumed_from_step").asInt() > 0, "resumed run must start from its checkpoint: " + resumed);
    // the running mean of the training loss continues from the checkpoint (issue 19): not restarted at the
    // first step after the resume, which reported a lower loss than the same uninterrupted run
    double whole = report.get("model").get("final_train_loss").asDouble();
    double again = JSON.readTree(b.resolve("training-report.json").toFile()).get("model").get("final_train_loss").asDouble();
    System.err.printf("final_train_loss uninterrupted %.6f, resumed %.6f%n", whole, again);
    assertEquals(whole, again, 1e-3 * whole, "final_train_loss of the resumed run");
    try (SafetensorsFile fa = SafetensorsFile.open(a.resolve("model.safetensors"));
        SafetensorsFile fb = SafetensorsFile.open(b.resolve("model.safetensors"))) {
      for (String name : fa.names()) {
        INDArray wa = fa.getFloat(name);
        INDArray wb = fb.getFloat(name);
        double diff = wa.sub(wb).amaxNumber().doubleValue();
        double scale = wa.amaxNumber().doubleValue();
        assertTrue(diff <= 0.02 * scale + 1e-6, name + " differs after resume by " + diff);
      }
    }
  }

  private static String cli(String... args) {
    return CliRun.ok(args).out();
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
