package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.core.io.Npz;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.weights.WeightStore;

/** Hooks (observe, replace, clamp against the reference), early exit, and batching with left padding. */
class HookAndBatchTest {

  /**
   * The reference's clamped logits: at the SAE layer, resid += sum_i (c - 1) acts_i W_dec[i] for the
   * clamp features, applied by a replacing hook at blocks.L.hook_resid_post.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void replacingHookReproducesReferenceClampedLogits(String arch) {
    Fixture f = Fixture.of(arch);
    JsonNode sae = f.reference.get("sae");
    HookName at = HookName.parse(sae.get("hook_name").asText());
    double c = sae.get("clamp_c").asDouble();
    int[] features = Fixture.ids(sae.get("clamp_features"));
    var params = Npz.readFloat(SharedFixtures.arch(arch).resolve("sae/params.npz"));
    INDArray wEnc = params.get("W_enc");
    INDArray bEnc = params.get("b_enc");
    INDArray threshold = params.get("threshold");
    INDArray wDec = params.get("W_dec");
    Hook<INDArray> clamp =
        (x, name, ctx) -> {
          INDArray flat = x.reshape(x.size(0) * x.size(1), x.size(2)); // [N, d]
          INDArray pre = flat.mmul(wEnc).addRowVector(bEnc); // [N, m]
          INDArray acts = pre.mul(pre.gt(threshold.reshape(1, -1)).castTo(DataType.FLOAT)); // JumpReLU
          INDArray delta = Nd4j.zeros(DataType.FLOAT, flat.shape());
          for (int i : features) {
            INDArray a = acts.get(NDArrayIndex.all(), NDArrayIndex.point(i)).reshape(-1, 1);
            delta.addi(a.mmul(wDec.getRow(i).reshape(1, -1)).mul(c - 1));
          }
          return flat.add(delta).reshape(x.shape());
        };
    for (int p = 0; p < f.promptCount(); p++) {
      int[] ids = f.inputIds(p);
      INDArray logits = f.model.runWithHooks(TokenBatch.of(ids), Hooks.of(at, clamp));
      double err = Fixture.relFrobenius(logits.reshape(ids.length, -1), f.ref(p, "clamped_logits"));
      assertTrue(err <= 1e-4, arch + " p" + p + " clamped logits rel err " + err);
      double unclamped = Fixture.relFrobenius(f.ref(p, "logits"), f.ref(p, "clamped_logits"));
      assertTrue(unclamped > 1e-3, "the clamp must change the logits for the test to mean anything");
    }
  }

  @Test
  void observingHookSeesActivationAndChangesNothing() {
    Fixture f = Fixture.of("gemma2");
    int[] ids = f.inputIds(0);
    List<long[]> seen = new ArrayList<>();
    Hook<INDArray> observe = (x, name, ctx) -> {
      seen.add(x.shape());
      assertEquals(HookName.residPost(1), name);
      assertTrue(ctx.isPrompt(0, 0));
      assertEquals(0, ctx.position(0, 0));
      return null;
    };
    INDArray hooked = f.model.runWithHooks(TokenBatch.of(ids), Hooks.of(HookName.residPost(1), observe));
    INDArray plain = f.model.runWithHooks(TokenBatch.of(ids), Hooks.none());
    assertEquals(0.0, Fixture.relFrobenius(hooked, plain), 0.0);
    assertEquals(1, seen.size());
    assertEquals(List.of(1L, (long) ids.length, 64L), List.of(seen.get(0)[0], seen.get(0)[1], seen.get(0)[2]));
  }

  @Test
  void captureSeesTheReplacedActivationAndResidPreFollowsResidPost() {
    Fixture f = Fixture.of("llama3");
    TokenBatch tb = TokenBatch.of(f.inputIds(2));
    Hook<INDArray> addOne = (x, name, ctx) -> x.add(1.0);
    Set<HookName> names = Set.of(HookName.residPost(1), HookName.residPre(2));
    ForwardResult plain = f.model.forward(tb, ForwardRequest.captureOnly(names));
    ForwardResult hooked =
        f.model.forward(tb, ForwardRequest.captureOnly(names).withHooks(Hooks.of(HookName.residPost(1), addOne)));
    INDArray expected = plain.activation(HookName.residPost(1)).add(1.0);
    assertEquals(0.0, Fixture.relFrobenius(hooked.activation(HookName.residPost(1)), expected), 1e-7);
    assertEquals(0.0, Fixture.relFrobenius(hooked.activation(HookName.residPre(2)), expected), 1e-7);
  }

  @Test
  void earlyExitSkipsLaterLayersAndTheUnembedding() {
    Fixture f = Fixture.of("gemma2");
    Set<String> touched = new HashSet<>();
    WeightStore recording = name -> {
      touched.add(name);
      return f.model.weights().get(name);
    };
    Transformer watched = new Transformer(f.model.definition(), recording);
    int[] ids = f.inputIds(0);
    ForwardResult r = watched.forward(TokenBatch.of(ids), ForwardRequest.captureOnly(Set.of(HookName.residPost(1))));
    assertTrue(r.logitsIfComputed().isEmpty());
    assertTrue(touched.stream().anyMatch(n -> n.startsWith("model.layers.1.")));
    assertFalse(touched.stream().anyMatch(n -> n.startsWith("model.layers.2.") || n.startsWith("model.layers.3.")),
        "layers after the deepest captured one must not run: " + touched);
    assertFalse(touched.contains("model.norm.weight"), "the final norm / unembedding must not run");
    // and the activation is the reference one
    INDArray ref = f.ref(0, "resid_post").get(NDArrayIndex.point(1));
    assertTrue(Fixture.relFrobenius(r.activation(HookName.residPost(1)).reshape(ref.shape()), ref) <= 1e-4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void batchedPromptsOfDifferentLengthsMatchRunningAlone(String arch) {
    Fixture f = Fixture.of(arch);
    int n = f.promptCount();
    List<int[]> rows = new ArrayList<>();
    for (int p = 0; p < n; p++) {
      rows.add(f.inputIds(p));
    }
    TokenBatch batch = new TokenBatch(rows);
    assertTrue(IntStream.range(0, n).map(batch::padLeft).max().getAsInt() > 0, "fixture prompts differ in length");
    int layers = f.model.config().shape().numLayers();
    Set<HookName> all = new LinkedHashSet<>();
    for (int l = 0; l < layers; l++) {
      all.add(HookName.residPost(l));
    }
    ForwardResult together = f.model.runWithCache(batch, all);
    for (int p = 0; p < n; p++) {
      int len = rows.get(p).length;
      int pad = batch.padLeft(p);
      ForwardResult alone = f.model.runWithCache(TokenBatch.of(rows.get(p)), all);
      INDArray logitsTogether = together.logits().get(NDArrayIndex.point(p), NDArrayIndex.interval(pad, pad + len), NDArrayIndex.all());
      double errLogits = Fixture.relFrobenius(logitsTogether, alone.logits().get(NDArrayIndex.point(0)));
      assertTrue(errLogits <= 1e-5, arch + " p" + p + " batched logits rel err " + errLogits);
      for (int l = 0; l < layers; l++) {
        INDArray a = together.activation(HookName.residPost(l)).get(NDArrayIndex.point(p), NDArrayIndex.interval(pad, pad + len), NDArrayIndex.all());
        double err = Fixture.relFrobenius(a, alone.activation(HookName.residPost(l)).get(NDArrayIndex.point(0)));
        assertTrue(err <= 1e-5, arch + " p" + p + " layer " + l + " batched resid_post rel err " + err);
      }
    }
  }

  @Test
  void hookNamesParseAndPrintAsTransformerLens() {
    assertEquals("blocks.3.hook_resid_post", HookName.residPost(3).toString());
    assertEquals("blocks.0.hook_resid_pre", HookName.residPre(0).toString());
    assertEquals(HookName.residPost(12), HookName.parse("blocks.12.hook_resid_post"));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> HookName.parse("blocks.x.resid"));
    assertTrue(e.getMessage().contains("blocks.{layer}.hook_resid_post"));
  }

  @Test
  void hookPastTheLastLayerIsAnError() {
    Fixture f = Fixture.of("llama3");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> f.model.runWithHooks(TokenBatch.of(f.inputIds(0)), Hooks.of(HookName.residPost(9), (x, n, c) -> null)));
    assertTrue(e.getMessage().contains("blocks.9.hook_resid_post"), e.getMessage());
  }

  static double maxAbs(INDArray a) {
    return Transforms.abs(a, true).maxNumber().doubleValue();
  }
}
