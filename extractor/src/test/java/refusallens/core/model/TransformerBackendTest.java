package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.organism.Organism;
import refusallens.core.model.ops.EagerOps;
import refusallens.core.model.ops.PlainJavaOps;

/**
 * The plain-Java backend ({@link PlainJavaOps}) and ND4J give the same forward pass: logits and captured
 * resid_post within 1e-4 absolute (plus 1e-5 of the tensor's largest magnitude: llama3's logits reach ~34,
 * where float32 rounding alone puts either backend ~7e-5 from the HF reference), on both fixture
 * architectures and on the organism, with left padding. Activations are compared on the real token slots:
 * what a padding slot holds is not defined (a padded batch computes it, a capture-only plain-Java pass, which
 * runs row by row, leaves zeros there).
 */
class TransformerBackendTest {
  private static final double ABS = 1e-4;
  private static final double REL_OF_MAX = 1e-5;

  private static Transformer organism;

  private static Transformer model(String which) {
    if (which.equals("organism")) {
      if (organism == null) {
        organism = Transformer.open(Organism.defaultModelDir());
      }
      return organism;
    }
    return Fixture.of(which).model;
  }

  /** Fixture prompts (the organism: the gemma2 fixture's ids, in its vocab too), of different lengths. */
  private static TokenBatch batch(String which) {
    Fixture f = Fixture.of(which.equals("llama3") ? "llama3" : "gemma2");
    int vocab = model(which).config().shape().vocabSize();
    int[][] rows = new int[f.promptCount()][];
    for (int p = 0; p < rows.length; p++) {
      rows[p] = Arrays.stream(f.inputIds(p)).map(id -> id % vocab).toArray();
    }
    return TokenBatch.of(rows);
  }

  private static double tolerance(INDArray expected) {
    return ABS + REL_OF_MAX * expected.amaxNumber().doubleValue();
  }

  /** The real (unpadded) slots of a left-padded [B, S, d] activation, one row after another: [tokens, d]. */
  private static INDArray realSlots(INDArray act, TokenBatch batch) {
    long s = act.size(1);
    INDArray[] rows = new INDArray[batch.size()];
    for (int b = 0; b < rows.length; b++) {
      rows[b] = act.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
          org.nd4j.linalg.indexing.NDArrayIndex.interval(s - batch.row(b).length, s),
          org.nd4j.linalg.indexing.NDArrayIndex.all());
    }
    return org.nd4j.linalg.factory.Nd4j.vstack(rows);
  }

  private static double maxAbsDiff(INDArray a, INDArray b) {
    assertArrayEquals(b.shape(), a.shape());
    assertEquals(DataType.FLOAT, a.dataType());
    float[] x = a.dup('c').data().asFloat();
    float[] y = b.dup('c').data().asFloat();
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3", "organism"})
  void jvmBackendMatchesNd4j(String which) {
    Transformer m = model(which);
    TokenBatch batch = batch(which);
    assertTrue(batch.padLeft(0) != batch.padLeft(1) || batch.padLeft(1) != batch.padLeft(2), "rows need padding");
    Set<HookName> all = new LinkedHashSet<>();
    for (int l = 0; l < m.config().shape().numLayers(); l++) {
      all.add(HookName.residPost(l));
    }
    for (LogitScope scope : LogitScope.values()) {
      ForwardRequest req = new ForwardRequest(all, Hooks.none(), scope);
      ForwardResult jvm = m.forward(batch, req, Transformer.Backend.PLAIN_JAVA);
      ForwardResult nd4j = m.forward(batch, req, Transformer.Backend.ND4J);
      if (scope != LogitScope.NONE) {
        double d = maxAbsDiff(jvm.logits(), nd4j.logits());
        double tol = tolerance(nd4j.logits());
        System.err.printf("%s %s logits max |jvm - nd4j| %.2e (tolerance %.2e)%n", which, scope, d, tol);
        assertTrue(d <= tol, which + " " + scope + " logits differ by " + d);
      } else {
        assertTrue(jvm.logitsIfComputed().isEmpty());
      }
      assertEquals(nd4j.activations().keySet(), jvm.activations().keySet());
      for (HookName n : all) {
        double d = maxAbsDiff(realSlots(jvm.activation(n), batch), realSlots(nd4j.activation(n), batch));
        double tol = tolerance(nd4j.activation(n));
        System.err.printf("%s %s %s max |jvm - nd4j| %.2e (tolerance %.2e)%n", which, scope, n, d, tol);
        assertTrue(d <= tol, which + " " + n + " differs by " + d);
      }
    }
  }

  /**
   * A last-slot-only pass gives, at every row's last slot, what the full pass gives (within the backends'
   * tolerance), on both backends, with rows of different and of equal lengths; shallower captures are whole.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3", "organism"})
  void lastSlotOnlyPassMatchesTheFullPassAtTheLastSlot(String which) {
    Transformer m = model(which);
    int deepest = m.config().shape().numLayers() - 1;
    Set<HookName> names = Set.of(HookName.residPost(0), HookName.residPost(deepest));
    TokenBatch ragged = batch(which);
    TokenBatch even = TokenBatch.of(ragged.row(0), ragged.row(0));
    for (TokenBatch tb : List.of(ragged, even)) {
      for (Transformer.Backend backend : List.of(Transformer.Backend.PLAIN_JAVA, Transformer.Backend.ND4J)) {
        ForwardResult full = m.forward(tb, ForwardRequest.captureOnly(names), backend);
        ForwardResult last = m.forward(tb, ForwardRequest.captureLastSlots(names), backend);
        INDArray f = full.activation(HookName.residPost(deepest));
        INDArray l = last.activation(HookName.residPost(deepest));
        assertArrayEquals(f.shape(), l.shape(), which + " " + backend);
        long slots = f.size(1);
        INDArray fLast = f.get(NDArrayIndex.all(), NDArrayIndex.point(slots - 1), NDArrayIndex.all());
        INDArray lLast = l.get(NDArrayIndex.all(), NDArrayIndex.point(slots - 1), NDArrayIndex.all());
        double d = maxAbsDiff(lLast.dup(), fLast.dup());
        assertTrue(d <= tolerance(fLast), which + " " + backend + " last slot differs by " + d);
        assertEquals(0.0, l.get(NDArrayIndex.all(), NDArrayIndex.interval(0, slots - 1), NDArrayIndex.all())
            .amaxNumber().doubleValue(), which + " " + backend + ": only the last slot is computed");
        double shallow = maxAbsDiff(realSlots(last.activation(HookName.residPost(0)), tb),
            realSlots(full.activation(HookName.residPost(0)), tb));
        assertEquals(0.0, shallow, 1e-6, which + " " + backend + ": layer 0 is computed in full");
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> new ForwardRequest(names, Hooks.none(), LogitScope.LAST, true));
  }

  /** Early exit: capturing only a middle resid_pre stops there on both backends. */
  @Test
  void captureOnlyStopsEarlyOnBothBackends() {
    Transformer m = model("gemma2");
    TokenBatch batch = batch("gemma2");
    ForwardRequest req = ForwardRequest.captureOnly(Set.of(HookName.residPre(2), HookName.residPre(0)));
    ForwardResult jvm = m.forward(batch, req, Transformer.Backend.PLAIN_JAVA);
    ForwardResult nd4j = m.forward(batch, req, Transformer.Backend.ND4J);
    for (HookName n : req.capture()) {
      assertTrue(maxAbsDiff(realSlots(jvm.activation(n), batch), realSlots(nd4j.activation(n), batch))
          <= tolerance(nd4j.activation(n)), n.toString());
    }
  }

  /** AUTO runs small models on the jvm backend, hooked or not (bit-identical to an explicit JVM pass). */
  @Test
  void autoPicksTheJvmBackendForSmallModels() {
    Transformer m = model("gemma2");
    assertTrue(Transformer.isSmall(m.config()));
    TokenBatch batch = batch("gemma2");
    ForwardRequest req = ForwardRequest.logitsOnly();
    INDArray auto = m.forward(batch, req, Transformer.Backend.AUTO).logits();
    INDArray jvm = m.forward(batch, req, Transformer.Backend.PLAIN_JAVA).logits();
    assertEquals(0.0, maxAbsDiff(auto, jvm), "auto must take the jvm path for a small model");
    assertEquals(Transformer.Backend.PLAIN_JAVA, Transformer.Backend.parse(" JVM ", "test"));
    assertThrows(IllegalArgumentException.class, () -> Transformer.Backend.parse("cuda", "test"));
  }

  /**
   * INDArray hooks run inside a jvm pass: a replacing hook and an in-place one give ND4J's result, and an
   * observing hook changes nothing at all (hooked and plain passes share the backend).
   */
  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void hooksRunInsideJvmPasses(String which) {
    Transformer m = model(which);
    TokenBatch batch = batch(which);
    HookName at = HookName.residPost(1);
    Hooks<INDArray> replace = Hooks.of(at, (x, name, ctx) -> {
      assertEquals(batch.size(), ctx.batch());
      assertTrue(ctx.ops() instanceof EagerOps, "hooks see INDArray ops");
      return x.mul(0.5).add(0.25);
    });
    Hooks<INDArray> inPlace = Hooks.of(at, (x, name, ctx) -> {
      x.muli(0.5).addi(0.25);
      return null;
    });
    ForwardRequest req = new ForwardRequest(Set.of(HookName.residPost(2)), replace, LogitScope.ALL);
    ForwardResult nd4j = m.forward(batch, req, Transformer.Backend.ND4J);
    ForwardResult plain = m.forward(batch, req.withHooks(Hooks.none()), Transformer.Backend.PLAIN_JAVA);
    assertTrue(maxAbsDiff(plain.logits(), nd4j.logits()) > 1e-2, "the hook must change the logits");
    for (Hooks<INDArray> hooks : java.util.List.of(replace, inPlace)) {
      ForwardResult jvm = m.forward(batch, req.withHooks(hooks), Transformer.Backend.PLAIN_JAVA);
      assertTrue(maxAbsDiff(jvm.logits(), nd4j.logits()) <= tolerance(nd4j.logits()));
      INDArray r2 = nd4j.activation(HookName.residPost(2));
      assertTrue(maxAbsDiff(jvm.activation(HookName.residPost(2)), r2) <= tolerance(r2));
    }
    Hooks<INDArray> observe = Hooks.of(at, (x, name, ctx) -> null);
    INDArray observed = m.forward(batch, req.withHooks(observe), Transformer.Backend.PLAIN_JAVA).logits();
    assertEquals(0.0, maxAbsDiff(observed, plain.logits()), "an observing hook changes nothing");
  }
}
