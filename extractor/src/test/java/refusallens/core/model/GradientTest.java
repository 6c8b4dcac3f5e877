package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.model.ops.EagerOps;
import refusallens.core.model.ops.TapeOps;
import refusallens.core.model.ops.TensorOps;
import refusallens.core.model.weights.WeightStore;

/**
 * d metric / d resid_post ({@link ResidGradients}, the tape) against the reference, against finite differences and
 * against the whole-model SameDiff graph ({@link SameDiffResidGradients}).
 */
class GradientTest {

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void gradResidPostMatchesReference(String arch) {
    Fixture f = Fixture.of(arch);
    for (int p = 0; p < f.promptCount(); p++) {
      int[] ids = f.inputIds(p);
      TokenBatch tb = TokenBatch.of(ids);
      int target = f.prompt(p).get("metric_target").asInt();
      ResidGradients.Result r = ResidGradients.compute(f.model, tb, LogProbMetric.lastToken(tb, target), Hooks.none());
      assertEquals(f.prompt(p).get("metric_value").asDouble(), r.metric(), 1e-4, arch + " p" + p + " metric");
      INDArray grad =
          r.gradResidPost().reshape(f.model.config().shape().numLayers(), ids.length, f.model.config().shape().dModel());
      double err = Fixture.relFrobenius(grad, f.ref(p, "grad_resid_post"));
      System.err.printf("%s p%d grad_resid_post %.2e%n", arch, p, err);
      assertTrue(err <= 1e-3, arch + " p" + p + " grad_resid_post rel err " + err);
    }
  }

  @Test
  void batchedGradientsOfASumAreEachPromptsGradient() {
    Fixture f = Fixture.of("gemma2");
    int[] a = f.inputIds(0);
    int[] b = f.inputIds(2);
    int ta = f.prompt(0).get("metric_target").asInt();
    int tb = f.prompt(2).get("metric_target").asInt();
    TokenBatch batch = TokenBatch.of(a, b);
    LogProbMetric metric = new LogProbMetric(List.of(
        new LogProbMetric.Term(0, a.length - 1, ta, 1.0), new LogProbMetric.Term(1, b.length - 1, tb, 1.0)));
    ResidGradients.Result r = ResidGradients.compute(f.model, batch, metric, Hooks.none());
    assertEquals(f.prompt(0).get("metric_value").asDouble() + f.prompt(2).get("metric_value").asDouble(), r.metric(), 2e-4);
    int pad = batch.padLeft(1);
    INDArray gradB = r.gradResidPost().get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.interval(pad, pad + b.length), NDArrayIndex.all());
    assertTrue(Fixture.relFrobenius(gradB, f.ref(2, "grad_resid_post")) <= 1e-3);
    INDArray gradA = r.gradResidPost().get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
    assertTrue(Fixture.relFrobenius(gradA, f.ref(0, "grad_resid_post")) <= 1e-3);
    // padding slots of row 1 get no gradient
    assertEquals(0.0, HookAndBatchTest.maxAbs(r.gradResidPost().get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.interval(0, pad), NDArrayIndex.all())), 0.0);
  }

  /**
   * Terms reading one slot (a difference of two tokens, a token counted twice) share that slot's unembedding:
   * the metric and its gradients are the sums of the terms' own. A difference (coefficients summing to zero at
   * its slot) takes the path without the log-softmax normaliser, over the two tokens' logits only; the single
   * terms take the whole-vocabulary one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void termsAtOneSlotAddUp(String arch) {
    Fixture f = Fixture.of(arch);
    int[] ids = f.inputIds(1);
    TokenBatch tb = TokenBatch.of(ids);
    int last = ids.length - 1;
    int plus = f.prompt(1).get("metric_target").asInt();
    int minus = (plus + 7) % f.model.config().shape().vocabSize();
    ResidGradients.Result p = ResidGradients.compute(f.model, tb,
        new LogProbMetric(List.of(new LogProbMetric.Term(0, last, plus, 1.0))), Hooks.none());
    ResidGradients.Result m = ResidGradients.compute(f.model, tb,
        new LogProbMetric(List.of(new LogProbMetric.Term(0, last, minus, 1.0))), Hooks.none());
    ResidGradients.Result both = ResidGradients.compute(f.model, tb, LogProbMetric.lastTokenDifference(tb, plus, minus),
        Hooks.none());
    assertEquals(p.metric() - m.metric(), both.metric(), 1e-5);
    double err = Fixture.relFrobenius(both.gradResidPost(), p.gradResidPost().sub(m.gradResidPost()));
    assertTrue(err <= 1e-5, arch + " difference gradient rel err " + err);
    ResidGradients.Result twice = ResidGradients.compute(f.model, tb, new LogProbMetric(List.of(
        new LogProbMetric.Term(0, last, plus, 1.0), new LogProbMetric.Term(0, last, plus, 0.5))), Hooks.none());
    assertEquals(1.5 * p.metric(), twice.metric(), 1e-5);
    assertTrue(Fixture.relFrobenius(twice.gradResidPost(), p.gradResidPost().mul(1.5)) <= 1e-5);
  }

  /**
   * Directional finite difference on the eager path: nudging resid_post of a layer along the unit
   * gradient by +-eps changes the metric by about +-eps * |grad|.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void gradientAgreesWithFiniteDifferences(String arch) {
    Fixture f = Fixture.of(arch);
    int[] ids = f.inputIds(2);
    int target = f.prompt(2).get("metric_target").asInt();
    TokenBatch tb = TokenBatch.of(ids);
    LogProbMetric metric = new LogProbMetric(List.of(new LogProbMetric.Term(0, ids.length - 1, target, 1.0),
        new LogProbMetric.Term(0, ids.length - 2, ids[ids.length - 1], -0.5)));
    ResidGradients.Result r = ResidGradients.compute(f.model, tb, metric, Hooks.none());
    for (int layer = 0; layer < f.model.config().shape().numLayers(); layer++) {
      INDArray g = r.gradResidPost().get(NDArrayIndex.point(layer)).dup(); // [1, S, d]
      double norm = g.norm2Number().doubleValue();
      INDArray dir = g.div(norm);
      double eps = 1e-2;
      double plus = eagerMetric(f.model, tb, metric, HookName.residPost(layer), dir.mul(eps));
      double minus = eagerMetric(f.model, tb, metric, HookName.residPost(layer), dir.mul(-eps));
      double fd = (plus - minus) / (2 * eps);
      assertEquals(norm, fd, 2e-2 * norm + 1e-4, arch + " layer " + layer + " directional derivative");
    }
    assertEquals(r.metric(), eagerMetric(f.model, tb, metric, HookName.residPost(0), null), 1e-4);
  }

  /** A hook written once against TensorOps acts the same in the gradient graph as on the eager path. */
  @Test
  void hooksActInTheGradientGraph() {
    Fixture f = Fixture.of("llama3");
    int[] ids = f.inputIds(2);
    TokenBatch tb = TokenBatch.of(ids);
    LogProbMetric metric = LogProbMetric.lastToken(tb, f.prompt(2).get("metric_target").asInt());
    HookName at = HookName.residPost(1);
    ResidGradients.Result hooked = ResidGradients.compute(f.model, tb, metric,
        Hooks.of(at, (x, n, c) -> c.ops().mulScalar(x, 1.5)));
    Hooks<INDArray> eagerHooks = Hooks.of(at, (x, n, c) -> c.ops().mulScalar(x, 1.5));
    assertEquals(eagerMetric(f.model, tb, metric, Hooks.none(), eagerHooks), hooked.metric(), 1e-4);
    assertTrue(Math.abs(hooked.metric() - f.prompt(2).get("metric_value").asDouble()) > 1e-3, "the hook must matter");
    // gradient at layer 0 flows through the hook: check it by a directional finite difference
    INDArray g = hooked.gradResidPost().get(NDArrayIndex.point(0)).dup();
    double norm = g.norm2Number().doubleValue();
    INDArray dir = g.div(norm);
    double eps = 1e-2;
    double plus = eagerMetric(f.model, tb, metric, Hooks.of(HookName.residPost(0), (x, n, c) -> x.add(dir.mul(eps))), eagerHooks);
    double minus = eagerMetric(f.model, tb, metric, Hooks.of(HookName.residPost(0), (x, n, c) -> x.add(dir.mul(-eps))), eagerHooks);
    assertEquals(norm, (plus - minus) / (2 * eps), 2e-2 * norm + 1e-4);
  }

  /**
   * The tape and the whole-model SameDiff graph agree on a padded batch with a replacing straight-through hook at
   * one layer (attribution patching's splice) and a scaling hook at another.
   */
  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void tapeAgreesWithTheSameDiffGraph(String arch) {
    Fixture f = Fixture.of(arch);
    int[] a = f.inputIds(0);
    int[] b = f.inputIds(2);
    TokenBatch tb = TokenBatch.of(a, b);
    LogProbMetric metric = new LogProbMetric(List.of(new LogProbMetric.Term(0, a.length - 1, 7, 1.0),
        new LogProbMetric.Term(1, b.length - 1, 11, -1.0), new LogProbMetric.Term(1, b.length - 2, 3, 0.5)));
    int layers = f.model.config().shape().numLayers();
    java.util.Random random = new java.util.Random(11);
    float[] values = new float[2 * tb.maxLength() * f.model.config().shape().dModel()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    INDArray target =
        org.nd4j.linalg.factory.Nd4j.create(values, new long[] {2, tb.maxLength(), f.model.config().shape().dModel()}, 'c');
    HookName splice = HookName.residPost(layers - 2);
    HookName scale = HookName.residPre(1);
    ResidGradients.Result tape = ResidGradients.compute(f.model, tb, metric, Hooks.<TapeOps.Var>of(splice,
        (x, n, c) -> c.ops().add(x, c.ops().stopGradient(c.ops().sub(c.ops().constant(target), x))))
        .with(scale, (x, n, c) -> c.ops().mulScalar(x, 1.25)));
    ResidGradients.Result graph = SameDiffResidGradients.compute(f.model, tb, metric, Hooks.<org.nd4j.autodiff.samediff.SDVariable>of(splice,
        (x, n, c) -> c.ops().add(x, c.ops().stopGradient(c.ops().sub(c.ops().constant(target), x))))
        .with(scale, (x, n, c) -> c.ops().mulScalar(x, 1.25)));
    assertEquals(graph.metric(), tape.metric(), 1e-4);
    double err = Fixture.relFrobenius(tape.gradResidPost(), graph.gradResidPost());
    System.err.printf("%s tape vs SameDiff grad_resid_post %.2e%n", arch, err);
    assertTrue(err <= 1e-4, arch + " tape vs SameDiff rel err " + err);
    assertTrue(graph.gradResidPost().norm2Number().doubleValue() > 0);
  }

  /** With weights streamed (widened at each use, in the backward pass too) the gradients are the resident ones. */
  @Test
  void streamedWeightsGiveTheResidentGradients() {
    Fixture f = Fixture.of("llama3");
    Transformer streamed = Transformer.open(Fixture.modelDir("llama3"), WeightStore.Residency.STREAMED);
    int[] ids = f.inputIds(1);
    TokenBatch tb = TokenBatch.of(ids);
    LogProbMetric metric = LogProbMetric.lastToken(tb, f.prompt(1).get("metric_target").asInt());
    ResidGradients.Result s = ResidGradients.compute(streamed, tb, metric, Hooks.none());
    ResidGradients.Result r = ResidGradients.compute(f.model, tb, metric, Hooks.none());
    assertEquals(r.metric(), s.metric(), 1e-6);
    assertEquals(0.0, Fixture.relFrobenius(s.gradResidPost(), r.gradResidPost()), 1e-6);
  }

  private static double eagerMetric(Transformer m, TokenBatch tb, LogProbMetric metric, Hooks<INDArray> a, Hooks<INDArray> b) {
    return metricOf(m, tb, metric, a.with(b));
  }

  private static double eagerMetric(Transformer m, TokenBatch tb, LogProbMetric metric, HookName at, INDArray delta) {
    Hooks<INDArray> hooks = delta == null ? Hooks.none() : Hooks.of(at, (x, n, c) -> x.add(delta));
    return metricOf(m, tb, metric, hooks);
  }

  private static double metricOf(Transformer m, TokenBatch tb, LogProbMetric metric, Hooks<INDArray> hooks) {
    INDArray logits = m.runWithHooks(tb, hooks); // [B, S, V]
    INDArray logProbs = new EagerOps(m.weights()).logSoftmax(logits, 2);
    double sum = 0;
    for (LogProbMetric.Term t : metric.terms()) {
      sum += t.coefficient() * logProbs.getDouble(t.row(), tb.padLeft(t.row()) + t.position(), t.token());
    }
    return sum;
  }
}
