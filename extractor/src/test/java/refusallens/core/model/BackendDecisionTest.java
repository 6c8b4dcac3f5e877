package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.lens.LensOptions;

/**
 * The backend is decided once, when a model is opened, and every eager pass follows it: forward and greedy
 * generation run on the same plan, and an {@link EagerHook} runs the implementation of that plan's tensor type.
 */
class BackendDecisionTest {

  @Test
  void openingReadsNoSystemProperty() {
    String was = System.getProperty(LensOptions.BACKEND_PROPERTY);
    System.setProperty(LensOptions.BACKEND_PROPERTY, "nd4j");
    try {
      Transformer m = Transformer.open(Fixture.modelDir("gemma2"));
      assertEquals(Transformer.Backend.AUTO, m.backend(), "the property is the Lens/CLI default only");
      assertTrue(m.plan() instanceof EagerPlan.PlainJava, "AUTO resolves to plain Java for a small model");
      assertTrue(m.withBackend(Transformer.Backend.ND4J).plan() instanceof EagerPlan.Nd4j);
    } finally {
      if (was == null) {
        System.clearProperty(LensOptions.BACKEND_PROPERTY);
      } else {
        System.setProperty(LensOptions.BACKEND_PROPERTY, was);
      }
    }
  }

  @Test
  void generationRunsOnTheBackendOfTheForwardPass() {
    Fixture f = Fixture.of("gemma2");
    JsonNode g = f.reference.get("generation").get(0);
    int[] prompt = Fixture.ids(g.get("prompt_ids"));
    int[] expected = Fixture.ids(g.get("greedy_new_ids"));
    HookName at = HookName.residPost(1);
    for (Transformer.Backend backend : List.of(Transformer.Backend.PLAIN_JAVA, Transformer.Backend.ND4J)) {
      Transformer m = f.model.withBackend(backend);
      AtomicInteger onNd4j = new AtomicInteger();
      AtomicInteger onPlainJava = new AtomicInteger();
      Hooks<INDArray> count = Hooks.of(at, new EagerHook((x, n, c) -> {
        onNd4j.incrementAndGet();
        return null;
      }, (x, n, c) -> {
        onPlainJava.incrementAndGet();
        return null;
      }));
      for (boolean cache : new boolean[] {true, false}) {
        onNd4j.set(0);
        onPlainJava.set(0);
        int[] got = m.generateGreedy(TokenBatch.of(prompt), new GenerationOptions(expected.length, Set.of(), cache), count)
            .get(0);
        assertArrayEquals(expected, got, backend + " kvCache=" + cache + " greedy tokens");
        // one hook call per step: the prefill and every step but the last
        int steps = expected.length;
        assertEquals(backend == Transformer.Backend.PLAIN_JAVA ? steps : 0, onPlainJava.get(), backend + " plain-Java hook calls");
        assertEquals(backend == Transformer.Backend.ND4J ? steps : 0, onNd4j.get(), backend + " ND4J hook calls");
      }
      onNd4j.set(0);
      onPlainJava.set(0);
      m.forward(TokenBatch.of(prompt), ForwardRequest.logitsOnly().withHooks(count));
      assertEquals(backend == Transformer.Backend.PLAIN_JAVA ? 1 : 0, onPlainJava.get(), backend + " forward");
      assertEquals(backend == Transformer.Backend.ND4J ? 1 : 0, onNd4j.get(), backend + " forward");
    }
  }

  @Test
  void anOrdinaryHookStillRunsOnPlainJavaThroughACopy() {
    Fixture f = Fixture.of("gemma2");
    Transformer m = f.model.withBackend(Transformer.Backend.PLAIN_JAVA);
    int[] prompt = f.inputIds(0);
    HookName at = HookName.residPost(0);
    INDArray plain = m.forward(TokenBatch.of(prompt), ForwardRequest.logitsOnly()).logits();
    INDArray zeroed = m.forward(TokenBatch.of(prompt),
        ForwardRequest.logitsOnly().withHooks(Hooks.of(at, (x, n, c) -> x.mul(0)))).logits();
    INDArray observed = m.forward(TokenBatch.of(prompt),
        ForwardRequest.logitsOnly().withHooks(Hooks.of(at, (x, n, c) -> null))).logits();
    assertEquals(plain, observed, "an observer changes no bit");
    assertTrue(plain.sub(zeroed).amaxNumber().doubleValue() > 1e-3, "a replacing hook takes effect");
  }
}
