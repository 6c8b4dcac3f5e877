package refusallens.probes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The MLP probe learns a non-linear rule, deterministically (Deeplearning4j training: slow, so in {@code verify}). */
class MlpTrainingIT {
  @Test
  void mlpLearnsANonLinearRuleDeterministically() {
    double[][] x = TrainTest.rows(400, 4, 8);
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) y[i] = x[i][0] * x[i][1] > 0 ? 1 : 0; // XOR-like
    Standardization s = Standardization.fit(x);
    MlpModel m = MlpProbe.fit(s.apply(x), y, MlpProbe.Options.defaults(), 3);
    double[][] xt = TrainTest.rows(500, 4, 9);
    int[] yt = new int[xt.length];
    for (int i = 0; i < xt.length; i++) yt[i] = xt[i][0] * xt[i][1] > 0 ? 1 : 0;
    assertTrue(TrainTest.accuracy(m, s, xt, yt) > 0.85, "MLP accuracy " + TrainTest.accuracy(m, s, xt, yt));
    MlpModel again = MlpProbe.fit(s.apply(x), y, MlpProbe.Options.defaults(), 3);
    assertArrayEquals(m.outputWeights(), again.outputWeights(), 0.0);
  }

}
