package refusallens.core.intervention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
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

/** Direction ablation removes exactly the component along the direction, on arrays and in the model. */
class DirectionAblationTest {

  @Test
  void removesExactlyTheComponentAlongTheDirection() {
    // hand-made: r = (3, 4, 0) / 5; x = (1, 2, 3) -> x.r = 11/5, x - (x.r) r = (1 - 33/25, 2 - 44/25, 3)
    DirectionAblation a = DirectionAblation.of(Nd4j.createFromArray(3f, 4f, 0f));
    assertEquals(5.0, a.norm(), 1e-6);
    INDArray out = a.apply(Nd4j.createFromArray(new float[][] {{1f, 2f, 3f}}));
    assertEquals(1 - 33.0 / 25, out.getDouble(0, 0), 1e-6);
    assertEquals(2 - 44.0 / 25, out.getDouble(0, 1), 1e-6);
    assertEquals(3.0, out.getDouble(0, 2), 1e-6);

    Random r = new Random(1);
    INDArray dir = gauss(r, 16);
    DirectionAblation abl = DirectionAblation.of(dir);
    INDArray x = gauss(r, 2, 5, 16); // [B, S, d]
    INDArray y = abl.apply(x);
    INDArray unit = dir.div(dir.norm2Number());
    INDArray flatX = x.reshape(10, 16);
    INDArray flatY = y.reshape(10, 16);
    for (int i = 0; i < 10; i++) {
      double along = flatX.getRow(i).mul(unit).sumNumber().doubleValue();
      assertEquals(0.0, flatY.getRow(i).mul(unit).sumNumber().doubleValue(), 1e-5, "no component left");
      // what was removed is exactly (x.r) r
      INDArray removed = flatX.getRow(i).sub(flatY.getRow(i));
      assertEquals(0.0, removed.sub(unit.mul(along)).norm2Number().doubleValue(), 1e-5);
    }
    assertEquals(0.0, abl.apply(y).sub(y).norm2Number().doubleValue(), 1e-5, "idempotent");
    assertThrows(IllegalArgumentException.class, () -> DirectionAblation.of(Nd4j.zeros(DataType.FLOAT, 4)));
    assertThrows(IllegalArgumentException.class, () -> abl.apply(gauss(r, 3, 8)));
  }

  @Test
  void everyLayerHooksLeaveNoComponentInTheStreamOnBothPaths() {
    Transformer model = Transformer.open(SharedFixtures.arch("gemma2").resolve("model"));
    int layers = model.config().shape().numLayers();
    DirectionAblation abl = DirectionAblation.of(gauss(new Random(2), model.config().shape().dModel()));
    TokenBatch tb = TokenBatch.of(new int[] {2, 10, 20, 30, 40, 50}, new int[] {2, 15, 25});
    Set<HookName> capture = new TreeSet<>();
    for (int l = 0; l < layers; l++) {
      capture.add(HookName.residPost(l));
    }
    Hooks<INDArray> hooks = abl.everyLayer(layers);
    ForwardResult res = model.forward(tb, new ForwardRequest(capture, hooks, LogitScope.ALL));
    ForwardResult plain = model.forward(tb, new ForwardRequest(capture, Hooks.none(), LogitScope.ALL));
    INDArray unit = abl.unit().reshape(model.config().shape().dModel(), 1);
    for (HookName n : capture) {
      INDArray acts = res.activation(n).reshape(-1, model.config().shape().dModel());
      double rms = Math.sqrt(acts.mul(acts).meanNumber().doubleValue());
      assertTrue(acts.mmul(unit).amaxNumber().doubleValue() < 1e-4 * Math.max(1, rms), n + " keeps no component");
      INDArray before = plain.activation(n).reshape(-1, model.config().shape().dModel());
      assertTrue(before.mmul(unit).amaxNumber().doubleValue() > 1e-3, n + " had a component before");
    }
    // the SameDiff path applies the same hooks: its metric equals the eager one under ablation
    LogProbMetric metric = LogProbMetric.lastToken(tb, 7);
    double sd = ResidGradients.compute(model, tb, metric, abl.everyLayer(layers)).metric();
    INDArray logp = new EagerOps(model.weights()).logSoftmax(res.logits(), 2);
    double eager = 0;
    for (LogProbMetric.Term t : metric.terms()) {
      eager += logp.getDouble(t.row(), tb.padLeft(t.row()) + t.position(), t.token());
    }
    assertEquals(eager, sd, 1e-3);
  }

  private static INDArray gauss(Random r, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Nd4j.create(v, shape, 'c');
  }
}
