package refusallens.probes.train;

import smile.base.svm.KernelMachine;
import smile.base.svm.LASVM;
import smile.math.MathEx;
import smile.math.kernel.LinearKernel;

/**
 * Linear SVM (Smile's LASVM with a linear kernel) as the second linear probe; its decision value is
 * Platt-scaled to a probability by a one-feature logistic regression on the training rows.
 */
public final class LinearSvmProbe {
  static final double TOLERANCE = 1e-3;
  static final int EPOCHS = 2;

  private LinearSvmProbe() {}

  /** Fits on standardised rows (labels 0/1) with soft-margin penalty {@code c}; seeded. */
  public static LinearModel fit(double[][] z, int[] labels, double c, long seed) {
    LogisticProbe.checkBinary(labels);
    if (!(c > 0)) throw new IllegalArgumentException("SVM C " + c + ": expected > 0");
    int[] pm = new int[labels.length];
    for (int i = 0; i < labels.length; i++) pm[i] = labels[i] == 1 ? +1 : -1;
    KernelMachine<double[]> km;
    // LASVM shuffles with Smile's global generator: seed it under a lock to stay deterministic.
    synchronized (MathEx.class) {
      MathEx.setSeed(seed);
      km = new LASVM<>(new LinearKernel(), c, TOLERANCE).fit(z, pm, EPOCHS);
    }
    int p = z[0].length;
    double[] w = new double[p];
    double[][] sv = km.vectors();
    double[] alpha = km.weights();
    for (int s = 0; s < sv.length; s++) for (int j = 0; j < p; j++) w[j] += alpha[s] * sv[s][j];
    double b = km.intercept();
    // Platt scaling: P = sigmoid(a * (w.z + b) + c0), fitted on the decision values (tiny penalty).
    double[][] f = new double[z.length][1];
    for (int i = 0; i < z.length; i++) {
      double t = b;
      for (int j = 0; j < p; j++) t += w[j] * z[i][j];
      f[i][0] = t;
    }
    LinearModel platt = LogisticProbe.fit(f, labels, 1e-3);
    double a = platt.weights()[0];
    double[] scaled = new double[p];
    for (int j = 0; j < p; j++) scaled[j] = a * w[j];
    return new LinearModel(scaled, a * b + platt.bias());
  }
}
