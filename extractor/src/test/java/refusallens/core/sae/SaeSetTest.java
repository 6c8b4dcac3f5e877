package refusallens.core.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import refusallens.core.io.SharedFixtures;
import refusallens.core.io.TensorFileException;

/** SAE sets: layer mapping, lazy loading under a byte budget, and clear errors for mismatches. */
class SaeSetTest {
  static final int D = 8;
  static final int M = 24;
  @TempDir Path tmp;

  static void assertMessage(String fragment, Executable ex) {
    RuntimeException e = assertThrows(RuntimeException.class, ex);
    assertTrue(e instanceof SaeException || e instanceof TensorFileException, e.toString());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }

  @Test
  void fixtureSaeMapsToItsHookLayer() {
    Path sae = SharedFixtures.arch("gemma2").resolve("sae");
    int layer = SharedFixtures.json(SharedFixtures.arch("gemma2").resolve("reference.json")).get("sae").get("layer").asInt();
    SaeSet set = SaeSet.open(List.of(SaeSet.Source.parse(sae.toString())), 64, 4, SaeSet.Options.defaults());
    assertEquals(List.of(layer), List.copyOf(set.layers()));
    assertEquals(List.of(), set.residentLayers(), "nothing loaded before use");
    assertEquals(layer, set.get(layer).layer());
    assertEquals(List.of(layer), set.residentLayers());
  }

  @Test
  void directoryOfLayersLoadsLazilyWithinTheBudget() {
    for (int l : new int[] {0, 1, 3}) {
      SmallSaes.gemmaScope(tmp.resolve("set/layer_" + l + "/width_1k/average_l0_10"), SmallSaes.Weights.random(D, M, l));
    }
    long one = new SaeConfig(tmp, SaeLayout.GEMMA_SCOPE, SaeArchitecture.JUMPRELU, refusallens.core.model.HookName.residPost(0), D, M, false,
        OptionalInt.empty(), 1).weightBytes();
    SaeSet set = SaeSet.open(List.of(new SaeSet.Source(tmp.resolve("set"), OptionalInt.empty())), D, 4,
        new SaeSet.Options(one * 3 / 2));
    assertEquals(List.of(0, 1, 3), List.copyOf(set.layers()));
    Sae first = set.get(0);
    assertEquals(SmallSaes.Weights.random(D, M, 0).wEnc(), first.wEnc());
    set.get(1);
    assertEquals(List.of(1), set.residentLayers(), "layer 0 dropped over budget");
    assertTrue(set.residentBytes() <= one * 3 / 2);
    Sae again = set.get(0);
    assertNotSame(first, again);
    assertEquals(first.wEnc(), again.wEnc());
    assertEquals(SmallSaes.Weights.random(D, M, 3).wDec(), set.get(3).wDec());
    SaeSet roomy = SaeSet.open(List.of(SaeSet.Source.parse(tmp.resolve("set").toString())), D, 4, new SaeSet.Options(one * 10));
    roomy.get(0);
    roomy.get(3);
    roomy.get(1);
    roomy.get(0);
    assertEquals(List.of(3, 1, 0), roomy.residentLayers(), "least recently used first");
    assertMessage("no SAE for layer 2", () -> roomy.get(2));
  }

  @Test
  void explicitLayersAndMismatchesWithTheModel() {
    SmallSaes.Weights w = SmallSaes.Weights.random(D, M, 9);
    Path plain = SmallSaes.gemmaScope(tmp.resolve("plain"), w);
    SaeSet set = SaeSet.open(List.of(SaeSet.Source.parse("2=" + plain)), D, 4, SaeSet.Options.defaults());
    assertEquals(List.of(2), List.copyOf(set.layers()));
    assertMessage("d_in 8 does not match the model's d_model 16",
        () -> SaeSet.open(List.of(SaeSet.Source.parse("2=" + plain)), 16, 4, SaeSet.Options.defaults()));
    assertMessage("past the model's last layer 1",
        () -> SaeSet.open(List.of(SaeSet.Source.parse("2=" + plain)), D, 2, SaeSet.Options.defaults()));
    assertMessage("two SAEs for layer 2",
        () -> SaeSet.open(List.of(SaeSet.Source.parse("2=" + plain), SaeSet.Source.parse("2=" + plain)), D, 4, SaeSet.Options.defaults()));
    Path lens = SmallSaes.saeLens(tmp.resolve("lens"), SmallSaes.saeLensCfg("jumprelu", D, M, "blocks.1.hook_resid_post", false, ""), w, true);
    assertMessage("but layer 3 was asked for",
        () -> SaeSet.open(List.of(SaeSet.Source.parse("3=" + lens)), D, 4, SaeSet.Options.defaults()));
    java.io.File empty = tmp.resolve("empty/sub").toFile();
    empty.mkdirs();
    assertMessage("no SAE in this directory or its subdirectories; expected one of: cfg.json + sae_weights.safetensors",
        () -> SaeSet.open(List.of(SaeSet.Source.parse(tmp.resolve("empty").toString())), D, 4, SaeSet.Options.defaults()));
    assertMessage("not a directory",
        () -> SaeSet.open(List.of(SaeSet.Source.parse(tmp.resolve("nothing").toString())), D, 4, SaeSet.Options.defaults()));
    assertMessage("params.npz (GEMMA_SCOPE)", () -> Sae.load(empty.toPath()));
    assertMessage("not a LLAMA_SCOPE SAE directory", () -> Sae.load(lens, SaeLayout.LLAMA_SCOPE, OptionalInt.empty()));
  }

  @Test
  void badConfigsAreClearErrors() {
    SmallSaes.Weights w = SmallSaes.Weights.random(D, M, 11);
    String hook = "blocks.1.hook_resid_post";
    record Case(String name, String cfg, boolean threshold, String fragment) {}
    List<Case> cases =
        List.of(
            new Case("hooklayer", SmallSaes.saeLensCfg("jumprelu", D, M, hook, false, ", \"hook_layer\": 2"), true,
                "hook_layer 2 does not match hook_name blocks.1.hook_resid_post"),
            new Case("mlp", SmallSaes.saeLensCfg("standard", D, M, "blocks.1.hook_mlp_out", true, ""), false,
                "bad hook name 'blocks.1.hook_mlp_out'"),
            new Case("shape", SmallSaes.saeLensCfg("standard", D + 1, M, hook, true, ""), false,
                "tensor 'W_enc' has shape [8, 24], expected [9, 24]"),
            new Case("nothreshold", SmallSaes.saeLensCfg("jumprelu", D, M, hook, false, ""), false, "tensor 'threshold' missing"),
            new Case("gated", SmallSaes.saeLensCfg("gated", D, M, hook, false, ""), false,
                "architecture 'gated' is not supported (standard, jumprelu, topk)"),
            new Case("nok", SmallSaes.saeLensCfg("topk", D, M, hook, false, ""), false, "missing 'k'"),
            new Case("bigk", SmallSaes.saeLensCfg("topk", D, M, hook, false, ", \"k\": 100"), false, "must be in 1..24"),
            new Case("norm", SmallSaes.saeLensCfg("standard", D, M, hook, true, "").replace("\"none\"", "\"constant_norm_rescale\""),
                false, "normalize_activations 'constant_norm_rescale' is not supported"),
            new Case("json", "{\"architecture\": ", false, "bad JSON"),
            new Case("din", "{\"d_sae\": 24, \"hook_name\": \"" + hook + "\"}", false, "missing 'd_in' (an integer)"));
    for (Case c : cases) {
      Path dir = SmallSaes.saeLens(tmp.resolve(c.name()), c.cfg(), w, c.threshold());
      assertMessage(c.fragment(), () -> Sae.load(dir));
      assertMessage(dir.toString(), () -> Sae.load(dir));
    }
    Path transcoder =
        SmallSaes.llamaScope(tmp.resolve("tc"),
            "{\"d_model\": 8, \"d_sae\": 24, \"hook_point_in\": \"blocks.1.hook_resid_pre\", \"hook_point_out\": \"blocks.1.hook_mlp_out\","
                + " \"act_fn\": \"jumprelu\", \"jump_relu_threshold\": 0.1}",
            w);
    assertMessage("a transcoder is not an SAE", () -> Sae.load(transcoder));
    Path tokenwise =
        SmallSaes.llamaScope(tmp.resolve("tw"),
            "{\"d_model\": 8, \"d_sae\": 24, \"hook_point_in\": \"blocks.1.hook_resid_post\", \"act_fn\": \"jumprelu\","
                + " \"jump_relu_threshold\": 0.1, \"norm_activation\": \"token-wise\"}",
            w);
    assertMessage("norm_activation 'token-wise' is not supported", () -> Sae.load(tokenwise));
  }

  /** Issue 19 item 6: a layer folder that cannot be read fails naming it, never drops out of the set. */
  @Test
  void aBrokenLayerFolderFailsNamingIt() throws java.io.IOException {
    SmallSaes.Weights w = SmallSaes.Weights.random(D, M, 5);
    java.util.function.IntFunction<Path> layer = l -> SmallSaes.saeLens(tmp.resolve("saes/layer_" + l),
        SmallSaes.saeLensCfg("standard", D, M, "blocks." + l + ".hook_resid_post", true, ""), w, false);
    layer.apply(0);
    Path one = layer.apply(1);
    SaeSet.Source set = SaeSet.Source.parse(tmp.resolve("saes").toString());
    assertEquals(List.of(0, 1), List.copyOf(SaeSet.open(List.of(set), D, 4, SaeSet.Options.defaults()).layers()));

    java.nio.file.Files.delete(one.resolve("cfg.json"));
    assertMessage(one + ": incomplete SAE directory: it has sae_weights.safetensors but no cfg.json",
        () -> SaeSet.open(List.of(set), D, 4, SaeSet.Options.defaults()));

    layer.apply(1);
    java.nio.file.Files.delete(one.resolve("sae_weights.safetensors"));
    assertMessage(one + ": incomplete SAE directory: it has cfg.json but no sae_weights.safetensors",
        () -> SaeSet.open(List.of(set), D, 4, SaeSet.Options.defaults()));

    java.nio.file.Files.delete(one.resolve("cfg.json"));
    assertMessage(one + ": layer folder holds no SAE",
        () -> SaeSet.open(List.of(set), D, 4, SaeSet.Options.defaults()));

    layer.apply(1);
    Path weights = one.resolve("sae_weights.safetensors");
    byte[] bytes = java.nio.file.Files.readAllBytes(weights);
    java.nio.file.Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertMessage(weights.toString(), () -> SaeSet.open(List.of(set), D, 4, SaeSet.Options.defaults()));
  }
}
