package refusallens.probes.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded bootstrap confidence intervals. */
public final class Bootstrap {
  private Bootstrap() {}

  /**
   * Percentile interval of the AUROC over {@code resamples} stratified resamples (positives and
   * negatives resampled separately with replacement, so every resample keeps both classes).
   */
  public static double[] aurocInterval(
      int[] labels, double[] scores, int resamples, double level, long seed) {
    Roc.check(labels, scores);
    if (resamples < 1) throw new IllegalArgumentException("bootstrap resamples must be >= 1");
    int[] posIdx = indicesOf(labels, 1);
    int[] negIdx = indicesOf(labels, 0);
    int n = labels.length;
    int[] l = new int[n];
    double[] s = new double[n];
    double[] aucs = new double[resamples];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int r = 0; r < resamples; r++) {
      int k = 0;
      for (int i = 0; i < posIdx.length; i++, k++) {
        int j = posIdx[rng.nextInt(posIdx.length)];
        l[k] = 1;
        s[k] = scores[j];
      }
      for (int i = 0; i < negIdx.length; i++, k++) {
        int j = negIdx[rng.nextInt(negIdx.length)];
        l[k] = 0;
        s[k] = scores[j];
      }
      aucs[r] = Roc.auroc(l, s);
    }
    Arrays.sort(aucs);
    double alpha = (1 - level) / 2;
    return new double[] {quantile(aucs, alpha), quantile(aucs, 1 - alpha)};
  }

  /** Linear-interpolated quantile of sorted values. */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  private static int[] indicesOf(int[] labels, int value) {
    return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == value).toArray();
  }
}
