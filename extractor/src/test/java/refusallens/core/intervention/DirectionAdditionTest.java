package refusallens.core.intervention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.ops.EagerOps;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogProbMetric;
import refusallens.core.model.LogitScope;
import refusallens.core.model.ResidGradients;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;

/** Direction addition adds exactly alpha times the unit direction, on arrays and at every layer of the model. */
class DirectionAdditionTest {

  @Test
  void addsExactlyAlphaTimesTheUnitDirection() {
    // hand-made: r = (3, 4, 0) / 5, alpha = 10: x + (6, 8, 0)
    DirectionAddition a = DirectionAddition.of(Nd4j.createFromArray(3f, 4f, 0f), 10);
    INDArray out = a.apply(Nd4j.createFromArray(new float[][] {{1f, 2f, 3f}}));
    assertEquals(7.0, out.getDouble(0, 0), 1e-6);
    assertEquals(10.0, out.getDouble(0, 1), 1e-6);
    assertEquals(3.0, out.getDouble(0, 2), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> DirectionAddition.of(Nd4j.createFromArray(0f, 0f), 1));
    assertThrows(IllegalArgumentException.class, () -> DirectionAddition.of(Nd4j.createFromArray(1f, 0f), Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> a.apply(Nd4j.zeros(2, 4)));
  }

  @Test
  void atLayerHooksOnlyThatLayer() {
    DirectionAddition add = DirectionAddition.of(Nd4j.createFromArray(1f, 2f, 2f), 1.5);
    Hooks<INDArray> one = add.atLayer(2);
    assertTrue(one.contains(HookName.residPost(2)));
    for (int l : new int[] {0, 1, 3}) {
      assertTrue(!one.contains(HookName.residPost(l)), "no hook at layer " + l);
    }
  }

  @Test
  void everyLayerHookChangesResidPostByAlphaTimesTheUnitAtEveryLayerAndPosition() {
    Transformer model = Transformer.open(SharedFixtures.arch("gemma2").resolve("model"));
    int layers = model.config().shape().numLayers();
    int d = model.config().shape().dModel();
    Random rnd = new Random(3);
    float[] v = new float[d];
    for (int i = 0; i < d; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    double alpha = 2.5;
    DirectionAddition add = DirectionAddition.of(Nd4j.createFromArray(v), alpha);
    INDArray step = add.unit().mul(alpha).reshape(1, d); // what every hook must add
    // observers around the addition record resid_post as it reaches the hook and as it leaves it
    Map<HookName, INDArray> in = new HashMap<>();
    Map<HookName, INDArray> out = new HashMap<>();
    Hooks<INDArray> hooks = Hooks.none();
    Hooks<INDArray> addition = add.everyLayer(layers);
    for (int l = 0; l < layers; l++) {
      HookName n = HookName.residPost(l);
      assertTrue(addition.contains(n), "a hook at " + n);
      hooks = hooks.with(n, (act, name, ctx) -> {
        in.put(name, act.dup());
        return null;
      });
    }
    hooks = hooks.with(addition);
    for (int l = 0; l < layers; l++) {
      hooks = hooks.with(HookName.residPost(l), (act, name, ctx) -> {
        out.put(name, act.dup());
        return null;
      });
    }
    TokenBatch tb = TokenBatch.of(new int[] {2, 10, 20, 30, 40, 50}, new int[] {2, 15, 25});
    ForwardResult res = model.forward(tb, new ForwardRequest(java.util.Set.of(), hooks, LogitScope.ALL));
    ForwardResult plain = model.forward(tb, ForwardRequest.logitsOnly());
    assertEquals(layers, out.size());
    for (int l = 0; l < layers; l++) {
      HookName n = HookName.residPost(l);
      INDArray delta = out.get(n).sub(in.get(n)).reshape(-1, d); // [B*S, d]
      for (int r = 0; r < delta.size(0); r++) {
        double err = delta.getRow(r).sub(step.getRow(0)).amaxNumber().doubleValue();
        assertTrue(err < 1e-5 * Math.max(1, alpha), n + " row " + r + ": off by " + err);
      }
    }
    assertTrue(res.logits().sub(plain.logits()).amaxNumber().doubleValue() > 1e-3, "the addition changes the logits");
    // the SameDiff path applies the same hooks: its metric equals the eager one
    LogProbMetric metric = LogProbMetric.lastToken(tb, 7);
    double sd = ResidGradients.compute(model, tb, metric, add.everyLayer(layers)).metric();
    INDArray logp = new EagerOps(model.weights()).logSoftmax(res.logits(), 2);
    double eager = 0;
    for (LogProbMetric.Term t : metric.terms()) {
      eager += logp.getDouble(t.row(), tb.padLeft(t.row()) + t.position(), t.token());
    }
    assertEquals(eager, sd, 1e-3);
  }
}
