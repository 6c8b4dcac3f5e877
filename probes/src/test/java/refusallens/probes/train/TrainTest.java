package refusallens.probes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainTest {
  /** Rows with y = 1[2 x0 - x1 + 0.5 > 0] (the known rule), other columns noise. */
  static double[][] rows(int n, int p, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[n][p];
    for (double[] row : x) for (int j = 0; j < p; j++) row[j] = r.nextGaussian();
    return x;
  }

  static int[] rule(double[][] x) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) y[i] = 2 * x[i][0] - x[i][1] + 0.5 > 0 ? 1 : 0;
    return y;
  }

  static double accuracy(ProbeModel m, Standardization s, double[][] x, int[] y) {
    int ok = 0;
    for (int i = 0; i < x.length; i++) if ((m.probability(s.apply(x[i])) >= 0.5 ? 1 : 0) == y[i]) ok++;
    return (double) ok / x.length;
  }

  static double cosineWithRule(LinearModel m, Standardization s) {
    // back to raw units: w_raw = w / std
    double[] w = new double[m.width()];
    for (int j = 0; j < w.length; j++) w[j] = m.weights()[j] / s.std()[j];
    double[] truth = new double[w.length];
    truth[0] = 2;
    truth[1] = -1;
    double dot = 0, a = 0, b = 0;
    for (int j = 0; j < w.length; j++) {
      dot += w[j] * truth[j];
      a += w[j] * w[j];
      b += truth[j] * truth[j];
    }
    return dot / Math.sqrt(a * b);
  }

  @Test
  void logisticRecoversTheKnownLinearRule() {
    double[][] x = rows(400, 6, 1);
    int[] y = rule(x);
    Standardization s = Standardization.fit(x);
    var cv = LogisticProbe.crossValidate(s.apply(x), y, LogisticProbe.DEFAULT_LAMBDAS, 5, 11);
    LinearModel m = LogisticProbe.fit(s.apply(x), y, cv.lambda());
    assertTrue(cosineWithRule(m, s) > 0.98, "cosine " + cosineWithRule(m, s));
    double[][] xt = rows(1000, 6, 2);
    assertTrue(accuracy(m, s, xt, rule(xt)) > 0.96);
  }

  @Test
  void svmRecoversTheKnownLinearRuleWithCalibratedProbabilities() {
    double[][] x = rows(400, 6, 3);
    int[] y = rule(x);
    Standardization s = Standardization.fit(x);
    LinearModel m = LinearSvmProbe.fit(s.apply(x), y, 1.0, 5);
    assertTrue(cosineWithRule(m, s) > 0.95, "cosine " + cosineWithRule(m, s));
    double[][] xt = rows(1000, 6, 4);
    assertTrue(accuracy(m, s, xt, rule(xt)) > 0.95);
    LinearModel again = LinearSvmProbe.fit(s.apply(x), y, 1.0, 5);
    assertArrayEquals(m.weights(), again.weights(), 0.0);
  }

  @Test
  void crossValidationPicksStrongPenaltyOnNoiseAndWeakOnSeparableData() {
    double[][] noise = rows(120, 40, 5);
    int[] coin = new int[noise.length];
    Random r = new Random(6);
    for (int i = 0; i < coin.length; i++) coin[i] = r.nextBoolean() ? 1 : 0;
    Standardization s = Standardization.fit(noise);
    var cvNoise = LogisticProbe.crossValidate(s.apply(noise), coin, LogisticProbe.DEFAULT_LAMBDAS, 5, 1);
    assertTrue(cvNoise.lambda() >= 100, "noise chose lambda " + cvNoise.lambda());

    double[][] sep = rows(120, 5, 7);
    int[] y = new int[sep.length];
    for (int i = 0; i < sep.length; i++) {
      y[i] = i % 2;
      sep[i][0] += y[i] == 1 ? 4 : -4; // wide margin on column 0
    }
    Standardization s2 = Standardization.fit(sep);
    var cvSep = LogisticProbe.crossValidate(s2.apply(sep), y, LogisticProbe.DEFAULT_LAMBDAS, 5, 1);
    assertTrue(cvSep.lambda() <= 1, "separable data chose lambda " + cvSep.lambda());
    assertEquals(LogisticProbe.DEFAULT_LAMBDAS.size(), cvSep.meanLogLoss().size());
  }

  @Test
  void standardisationIsFittedOnTrainingRowsAndKeepsConstantColumns() {
    double[][] x = {{1, 5}, {3, 5}};
    Standardization s = Standardization.fit(x);
    assertArrayEquals(new double[] {2, 5}, s.mean(), 0);
    assertArrayEquals(new double[] {1, 1}, s.std(), 0);
    assertArrayEquals(new double[] {1, 2}, s.apply(new double[] {3, 7}), 0);
    var e = assertThrows(IllegalArgumentException.class, () -> s.apply(new double[] {1}));
    assertTrue(e.getMessage().contains("expects 2"));
  }

  @Test
  void oneClassTrainingIsAClearError() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LogisticProbe.fit(new double[][] {{1}, {2}}, new int[] {1, 1}, 1));
    assertTrue(e.getMessage().contains("both classes"));
  }
}
