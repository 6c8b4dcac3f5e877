package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.weights.WeightSpec;
import refusallens.core.model.weights.WeightStore;

/**
 * A pass whose activations or logits turn NaN or infinite fails with {@link NonFiniteActivationException}
 * naming the point, on both eager backends and in generation, instead of handing NaN to a caller.
 */
class NonFiniteActivationTest {

  static final String POISONED = "model.layers.1.mlp.down_proj.weight";

  /** The gemma2 fixture with one NaN in layer 1's MLP down-projection. */
  static Transformer poisoned() {
    Transformer healthy = Fixture.of("gemma2").model;
    Map<String, INDArray> w = new HashMap<>();
    for (WeightSpec s : healthy.definition().weightSpecs()) {
      w.put(s.name(), healthy.weights().get(s.name()).dup());
    }
    w.get(POISONED).putScalar(0, 0, Float.NaN);
    return new Transformer(healthy.definition(), WeightStore.of(w));
  }

  static void assertNonFinite(String expected, org.junit.jupiter.api.function.Executable run) {
    NonFiniteActivationException e = assertThrows(NonFiniteActivationException.class, run);
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    assertTrue(e.getMessage().contains("check the checkpoint weights"), e.getMessage());
  }

  @Test
  void nanWeightsFailEveryPassOnBothBackends() {
    Transformer m = poisoned();
    Fixture fx = Fixture.of("gemma2");
    int[] ids = fx.inputIds(0);
    int[] shorter = java.util.Arrays.copyOf(ids, ids.length - 2);
    for (Transformer.Backend backend : List.of(Transformer.Backend.PLAIN_JAVA, Transformer.Backend.ND4J)) {
      assertNonFinite("NaN in blocks.3.hook_resid_post",
          () -> m.forward(TokenBatch.of(ids), ForwardRequest.logitsOnly(), backend));
      assertNonFinite("NaN in blocks.1.hook_resid_post",
          () -> m.forward(TokenBatch.of(ids), ForwardRequest.captureOnly(Set.of(HookName.residPost(1))), backend));
      // rows of different lengths (the plain-Java backend runs them one by one)
      assertNonFinite("NaN in blocks.3.hook_resid_post",
          () -> m.forward(TokenBatch.of(ids, shorter), ForwardRequest.logitsOnly(), backend));
      // a pass that stops before the poisoned layer is finite and answers
      ForwardResult early =
          m.forward(TokenBatch.of(ids), ForwardRequest.captureOnly(Set.of(HookName.residPost(0))), backend);
      assertEquals(ids.length, early.activation(HookName.residPost(0)).size(1));
    }
    assertNonFinite("NaN in blocks.3.hook_resid_post",
        () -> m.generateGreedy(TokenBatch.of(ids), GenerationOptions.greedy(m, 4), Hooks.none()));
  }

  @Test
  void anInfiniteActivationFromAHookFails() {
    Transformer m = Fixture.of("gemma2").model;
    int[] ids = Fixture.of("gemma2").inputIds(0);
    Hooks<INDArray> blowUp = Hooks.of(HookName.residPost(3), (x, name, ctx) -> x.mul(Float.POSITIVE_INFINITY));
    for (Transformer.Backend backend : List.of(Transformer.Backend.PLAIN_JAVA, Transformer.Backend.ND4J)) {
      assertNonFinite("infinity in blocks.3.hook_resid_post", () -> m.forward(TokenBatch.of(ids),
          ForwardRequest.captureOnly(Set.of(HookName.residPost(3))).withHooks(blowUp), backend));
      // the same hook one layer earlier: RMSNorm turns inf into NaN downstream
      Hooks<INDArray> earlier = Hooks.of(HookName.residPost(2), (x, name, ctx) -> x.mul(Float.POSITIVE_INFINITY));
      NonFiniteActivationException e = assertThrows(NonFiniteActivationException.class,
          () -> m.forward(TokenBatch.of(ids), ForwardRequest.logitsOnly().withHooks(earlier), backend));
      assertEquals("blocks.3.hook_resid_post", e.point());
    }
  }
}
