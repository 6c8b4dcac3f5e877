package refusallens.probes.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import smile.classification.LogisticRegression;

/** L2-regularised logistic regression (Smile), lambda chosen by stratified k-fold cross-validation. */
public final class LogisticProbe {
  /** The default lambda grid (Smile's penalty 0.5 * lambda * |w|^2 on a summed log-likelihood). */
  public static final List<Double> DEFAULT_LAMBDAS =
      List.of(1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0);

  static final double TOLERANCE = 1e-5;
  static final int MAX_ITER = 500;

  /** Cross-validation outcome: mean held-out log-loss per lambda and the chosen lambda. */
  public record CvResult(List<Double> lambdas, List<Double> meanLogLoss, double lambda) {
    public CvResult {
      lambdas = List.copyOf(lambdas);
      meanLogLoss = List.copyOf(meanLogLoss);
    }
  }

  private LogisticProbe() {}

  /** Fits on standardised rows with a fixed lambda; labels 0/1. */
  public static LinearModel fit(double[][] z, int[] labels, double lambda) {
    checkBinary(labels);
    LogisticRegression.Binomial lr =
        LogisticRegression.binomial(z, labels, lambda, TOLERANCE, MAX_ITER);
    double[] c = lr.coefficients(); // p weights, then the intercept
    return new LinearModel(Arrays.copyOf(c, c.length - 1), c[c.length - 1]);
  }

  /**
   * Chooses lambda by the lowest mean held-out log-loss over {@code k} stratified folds (ties go to the
   * stronger penalty).
   */
  public static CvResult crossValidate(
      double[][] z, int[] labels, List<Double> lambdas, int k, long seed) {
    if (lambdas.isEmpty()) throw new IllegalArgumentException("lambda grid is empty");
    int[] fold = Folds.stratified(labels, k, seed);
    List<Double> losses = new ArrayList<>();
    double bestLoss = Double.POSITIVE_INFINITY;
    double best = lambdas.get(0);
    for (double lambda : lambdas) {
      double loss = 0;
      for (int f = 0; f < k; f++) {
        Split s = Split.of(z, labels, fold, f);
        LinearModel m = fit(s.trainX, s.trainY, lambda);
        for (int i = 0; i < s.testX.length; i++) {
          double p = m.probability(s.testX[i]);
          p = Math.min(1 - 1e-12, Math.max(1e-12, p));
          loss -= s.testY[i] == 1 ? Math.log(p) : Math.log(1 - p);
        }
      }
      loss /= z.length;
      losses.add(loss);
      if (loss < bestLoss - 1e-12 || (Math.abs(loss - bestLoss) <= 1e-12 && lambda > best)) {
        bestLoss = loss;
        best = lambda;
      }
    }
    return new CvResult(lambdas, losses, best);
  }

  static void checkBinary(int[] labels) {
    int pos = 0;
    for (int y : labels) {
      if (y != 0 && y != 1) throw new IllegalArgumentException("label " + y + ": expected 0 or 1");
      pos += y;
    }
    if (pos == 0 || pos == labels.length) {
      throw new IllegalArgumentException(
          "training a probe needs both classes; got " + pos + " harmful of " + labels.length + " rows");
    }
  }

  /** Train/held-out rows of one fold. */
  record Split(double[][] trainX, int[] trainY, double[][] testX, int[] testY) {
    static Split of(double[][] x, int[] y, int[] fold, int f) {
      int nTest = 0;
      for (int v : fold) if (v == f) nTest++;
      double[][] trX = new double[x.length - nTest][];
      int[] trY = new int[x.length - nTest];
      double[][] teX = new double[nTest][];
      int[] teY = new int[nTest];
      int a = 0;
      int b = 0;
      for (int i = 0; i < x.length; i++) {
        if (fold[i] == f) {
          teX[b] = x[i];
          teY[b++] = y[i];
        } else {
          trX[a] = x[i];
          trY[a++] = y[i];
        }
      }
      return new Split(trX, trY, teX, teY);
    }
  }
}
