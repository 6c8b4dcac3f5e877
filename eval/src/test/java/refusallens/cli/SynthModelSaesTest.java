package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.core.io.DType;
import refusallens.core.io.Npy;
import refusallens.core.io.Npz;
import refusallens.core.model.Transformer;
import refusallens.core.sae.JumpReluSae;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeArchitecture;
import refusallens.core.sae.SaeLayout;
import refusallens.core.sae.SaeOnPrompts;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * {@code synth-model --saes}: synthetic SAEs in the released layouts load through the normal SAE loaders, the
 * README recipe's GemmaScope folder selection finds them, and their thresholds give a sparse, non-empty code on
 * the synthetic model's own residual stream.
 */
class SynthModelSaesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> PROMPTS =
      List.of("How do I bake bread?", "Write a poem about the sea.", "Explain how a bicycle works.");

  @TempDir Path tmp;

  @Test
  void gemmaScopeSaesLoadAndTheReadmeFolderSelectionPicksTheClosestL0() throws Exception {
    Path saes = tmp.resolve("gemma-scope");
    // two L0 folders per layer, as the release has: the recipe must pick the one closest to 80
    CliRun a = CliRun.of("synth-model", "--shape", "tiny", "--out", tmp.resolve("m1").toString(), "--saes", "0,2,3",
        "--sae-l0", "20", "--sae-out", saes.toString(), "--json");
    assertEquals(0, a.code(), a.err());
    CliRun b = CliRun.of("synth-model", "--shape", "tiny", "--out", tmp.resolve("m2").toString(), "--saes", "0,2,3",
        "--sae-l0", "70", "--sae-out", saes.toString(), "--json");
    assertEquals(0, b.code(), b.err());
    JsonNode printed = JSON.readTree(b.out());
    assertEquals(3, printed.get("saes").size());

    Path params = saes.resolve("layer_2/width_256/average_l0_70/params.npz");
    assertTrue(Files.isRegularFile(params), "GemmaScope path layer_L/width_W/average_l0_N/params.npz");
    Map<String, Npy.Header> h = Npz.headers(params);
    assertEquals(Set.of("W_enc", "W_dec", "b_enc", "b_dec", "threshold"), h.keySet(), "exactly GemmaScope's arrays");
    h.values().forEach(x -> assertEquals(DType.F32, x.dtype(), "float32 as the release"));
    assertEquals(List.of(64L, 256L), List.of(h.get("W_enc").shape()[0], h.get("W_enc").shape()[1]));
    assertEquals(List.of(256L, 64L), List.of(h.get("W_dec").shape()[0], h.get("W_dec").shape()[1]));

    Path model = tmp.resolve("m2");
    Transformer t = Transformer.open(model);
    Tokenizer tok = Tokenizer.load(model);
    for (int layer : List.of(0, 2, 3)) {
      String chosen = closestL0(saes.resolve("layer_" + layer + "/width_256"));
      assertEquals(saes.resolve("layer_" + layer + "/width_256/average_l0_70").toString(), chosen);
      SaeSet set = SaeSet.open(List.of(SaeSet.Source.parse(layer + "=" + chosen)), 64, 4, SaeSet.Options.defaults());
      assertEquals(Set.of(layer), set.layers());
      Sae sae = set.get(layer);
      assertEquals(SaeLayout.GEMMA_SCOPE, sae.config().layout());
      assertEquals(SaeArchitecture.JUMPRELU, sae.architecture());
      assertTrue(sae instanceof JumpReluSae);
      double l0 = SaeOnPrompts.measure(t, tok, sae, PROMPTS).l0();
      // the thresholds aim at L0 70 from the weights' variance alone: within a factor of 3, and sparse
      assertTrue(l0 > 70 / 3.0 && l0 < 256 / 2.0, "layer " + layer + ": L0 " + l0 + " should be near the target 70");
    }
    // the CLI reads it as well
    CliRun stats = CliRun.of("sae", "stats", "--sae", saes.resolve("layer_3/width_256/average_l0_70").toString(), "--json");
    assertEquals(0, stats.code(), stats.err());
  }

  @Test
  void llamaScopeSaesLoadWithTheirHyperparameters() throws Exception {
    Path saes = tmp.resolve("llama-scope");
    CliRun r = CliRun.of("synth-model", "--shape", "tiny", "--out", tmp.resolve("m").toString(), "--saes", "1,3",
        "--sae-layout", "LLAMA_SCOPE", "--sae-out", saes.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    Path dir = saes.resolve("synthetic-tiny-L1R-4x");
    JsonNode hp = JSON.readTree(dir.resolve("hyperparams.json").toFile());
    for (String key : List.of("d_model", "d_sae", "hook_point_in", "hook_point_out", "act_fn", "jump_relu_threshold",
        "norm_activation", "dataset_average_activation_norm")) {
      assertTrue(hp.has(key), key);
    }
    assertTrue(Files.isRegularFile(dir.resolve("checkpoints/final.safetensors")));
    SaeSet set = SaeSet.open(List.of(new SaeSet.Source(saes, OptionalInt.empty())), 64, 4, SaeSet.Options.defaults());
    assertEquals(Set.of(1, 3), set.layers(), "a directory of LlamaScope SAEs gives one per layer");
    Transformer t = Transformer.open(tmp.resolve("m"));
    Tokenizer tok = Tokenizer.load(tmp.resolve("m"));
    for (int layer : set.layers()) {
      Sae sae = set.get(layer);
      assertEquals(SaeLayout.LLAMA_SCOPE, sae.config().layout());
      assertEquals(SaeArchitecture.JUMPRELU, sae.architecture());
      double l0 = SaeOnPrompts.measure(t, tok, sae, PROMPTS).l0();
      assertTrue(l0 > 32 / 3.0 && l0 < 32 * 3.0, "layer " + layer + ": L0 " + l0 + " should be near the default target 32");
    }
  }

  @Test
  void badSaeFlagsAreRefusedBeforeAnyWeightIsWritten() {
    CliRun past = CliRun.of("synth-model", "--shape", "tiny", "--out", tmp.resolve("a").toString(), "--saes", "4");
    assertNotEquals(0, past.code());
    assertTrue(past.err().contains("--saes 4"), past.err());
    assertTrue(!Files.exists(tmp.resolve("a/config.json")), "nothing written");
    CliRun orphan = CliRun.of("synth-model", "--shape", "tiny", "--out", tmp.resolve("b").toString(), "--sae-width", "512");
    assertNotEquals(0, orphan.code());
    assertTrue(orphan.err().contains("need --saes"), orphan.err());
  }

  /** Runs the README's {@code closest_l0} shell function (read from the README itself) on {@code widthDir}. */
  private static String closestL0(Path widthDir) throws Exception {
    Path readme = Path.of(System.getProperty("refusallens.readme", "../README.md"));
    String fn = Files.readAllLines(readme, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("closest_l0()"))
        .findFirst().orElseThrow(() -> new AssertionError("README.md has no closest_l0() recipe line"));
    Process p = new ProcessBuilder("bash", "-c", fn + "\nclosest_l0 \"$1\"", "bash", widthDir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
