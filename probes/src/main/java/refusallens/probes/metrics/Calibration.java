package refusallens.probes.metrics;

/** Calibration of predicted probabilities of the positive class. */
public final class Calibration {
  private Calibration() {}

  /**
   * Expected calibration error with {@code bins} equal-width bins over [0, 1] (last bin closed):
   * sum over bins of (bin size / n) * |fraction positive in bin - mean predicted probability in bin|.
   */
  public static double expectedCalibrationError(int[] labels, double[] probabilities, int bins) {
    if (bins < 1) throw new IllegalArgumentException("ECE bins " + bins + ": expected >= 1");
    int n = labels.length;
    if (n == 0) return Double.NaN;
    double[] conf = new double[bins];
    double[] pos = new double[bins];
    int[] count = new int[bins];
    for (int i = 0; i < n; i++) {
      double p = probabilities[i];
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("probability " + p + " at row " + i + ": expected [0, 1]");
      }
      int b = Math.min(bins - 1, (int) Math.floor(p * bins));
      conf[b] += p;
      pos[b] += labels[i];
      count[b]++;
    }
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      if (count[b] > 0) ece += Math.abs(pos[b] - conf[b]) / n;
    }
    return ece;
  }
}
