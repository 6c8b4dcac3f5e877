package refusallens.probes.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void aurocCountsTiedPairsAsOneHalf() {
    // positives {0.8, 0.6}, negatives {0.8, 0.2}: pairs 0.5 + 1 + 0 + 1 = 2.5 of 4.
    assertEquals(0.625, Roc.auroc(new int[] {1, 0, 1, 0}, new double[] {0.8, 0.8, 0.6, 0.2}), 1e-12);
    // all scores tied: chance.
    assertEquals(0.5, Roc.auroc(new int[] {1, 0, 1, 0}, new double[] {3, 3, 3, 3}), 1e-12);
    assertEquals(1.0, Roc.auroc(new int[] {0, 0, 1}, new double[] {1, 2, 3}), 1e-12);
    assertEquals(0.0, Roc.auroc(new int[] {1, 0, 0}, new double[] {1, 2, 3}), 1e-12);
  }

  @Test
  void rocCurveGroupsTies() {
    var pts = Roc.curve(new int[] {1, 0, 1, 0}, new double[] {0.8, 0.8, 0.6, 0.2});
    assertEquals(4, pts.size()); // origin + 3 distinct scores
    assertEquals(0.5, pts.get(1).fpr(), 1e-12);
    assertEquals(0.5, pts.get(1).tpr(), 1e-12);
    assertEquals(1.0, pts.get(3).fpr(), 1e-12);
  }

  @Test
  void tprAtOnePercentFprAllowsOneFalsePositiveInAHundred() {
    int nNeg = 100;
    int[] labels = new int[nNeg + 4];
    double[] scores = new double[nNeg + 4];
    for (int i = 0; i < nNeg; i++) scores[i] = i / 100.0; // negatives 0.00 .. 0.99
    double[] pos = {0.995, 0.985, 0.5, 0.1};
    for (int i = 0; i < 4; i++) {
      labels[nNeg + i] = 1;
      scores[nNeg + i] = pos[i];
    }
    // threshold 0.985 flags the negative 0.99 only (FPR 1%) and two positives.
    assertEquals(0.5, Roc.tprAtFpr(labels, scores, 0.01), 1e-12);
    assertEquals(0.25, Roc.tprAtFpr(labels, scores, 0.0), 1e-12);
  }

  @Test
  void thresholdForFprSitsJustAboveTheAllowedNegatives() {
    double[] neg = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
    double t = Roc.thresholdForFpr(neg, 0.1); // one false positive allowed: 0.95 stays flagged
    assertEquals(Math.nextUp(0.9), t);
    assertEquals(Math.nextUp(0.95), Roc.thresholdForFpr(neg, 0.0));
  }

  @Test
  void eceMatchesHandComputation() {
    // bins: [0,.1): |0-.05|, [.1,.2): |1-.15|, [.9,1]: |1-1.9| -> (0.05+0.85+0.9)/4
    double ece =
        Calibration.expectedCalibrationError(
            new int[] {0, 1, 1, 0}, new double[] {0.05, 0.15, 0.95, 0.95}, 10);
    assertEquals(0.45, ece, 1e-12);
    assertEquals(0.0, Calibration.expectedCalibrationError(new int[] {1, 0}, new double[] {1, 0}, 10));
  }

  @Test
  void f1AndAccuracyAtThreshold() {
    assertEquals(2 * 0.75 * 0.6 / 1.35, BinaryMetrics.f1(3, 1, 2), 1e-12);
    int[] labels = {1, 1, 1, 1, 1, 0, 0, 0};
    double[] logit = {2.2, 1.4, 0.8, -1.4, -2.2, 0.4, -0.8, -2.2};
    var m = BinaryMetrics.of(labels, logit, 0.0, 200, 1);
    assertEquals(5.0 / 8, m.accuracy(), 1e-12); // tp 3 + tn 2 of 8
    assertEquals(BinaryMetrics.f1(3, 1, 2), m.f1(), 1e-12);
    assertEquals(0.6, m.detectionRate(), 1e-12);
    assertTrue(m.aurocCi()[0] <= m.auroc() && m.auroc() <= m.aurocCi()[1]);
  }

  @Test
  void bootstrapIsSeededAndBracketsTheEstimate() {
    java.util.Random r = new java.util.Random(3);
    int n = 200;
    int[] labels = new int[n];
    double[] s = new double[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      s[i] = r.nextGaussian() + labels[i];
    }
    double[] a = Bootstrap.aurocInterval(labels, s, 500, 0.95, 7);
    double[] b = Bootstrap.aurocInterval(labels, s, 500, 0.95, 7);
    assertArrayEquals(a, b);
    double auc = Roc.auroc(labels, s);
    assertTrue(a[0] < auc && auc < a[1], "CI " + a[0] + ".." + a[1] + " around " + auc);
    assertTrue(a[1] - a[0] > 0.03 && a[1] - a[0] < 0.2);
  }

  @Test
  void rejectsSingleClassAndBadLabels() {
    var e = assertThrows(IllegalArgumentException.class, () -> Roc.auroc(new int[] {1, 1}, new double[] {1, 2}));
    assertTrue(e.getMessage().contains("both classes"));
    assertThrows(IllegalArgumentException.class, () -> Roc.auroc(new int[] {2, 0}, new double[] {1, 2}));
  }
  @Test
  void pairedBootstrapGivesOneForIdenticalDetectorsAndASmallPForAClearGap() {
    java.util.Random r = new java.util.Random(1);
    int n = 80;
    int[] y = new int[n];
    double[] weak = new double[n];
    double[] strong = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      weak[i] = r.nextGaussian() + 0.3 * y[i];
      strong[i] = r.nextGaussian() + 3 * y[i];
    }
    PairedAuroc same = PairedAuroc.of(y, weak, weak.clone(), 200, 7);
    assertEquals(0, same.difference(), 1e-12);
    assertEquals(1.0, same.pValue(), 1e-12);
    PairedAuroc gap = PairedAuroc.of(y, weak, strong, 200, 7);
    assertEquals(Roc.auroc(y, strong) - Roc.auroc(y, weak), gap.difference(), 1e-12);
    assertTrue(gap.pValue() < 0.05 && gap.differenceCi()[0] > 0, gap.toString());
    PairedAuroc back = PairedAuroc.of(y, strong, weak, 200, 7);
    assertEquals(-gap.difference(), back.difference(), 1e-12);
    assertEquals(gap.pValue(), back.pValue(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> PairedAuroc.of(new int[] {1, 1}, new double[] {1, 2}, new double[] {1, 2}, 10, 1));
  }
}
