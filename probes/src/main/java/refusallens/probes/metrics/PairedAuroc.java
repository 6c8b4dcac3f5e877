package refusallens.probes.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Two detectors scored on the same prompts: the AUROC difference (B - A) with a paired, stratified
 * bootstrap over prompts (the same resampled prompts score both), its 95% interval and a two-sided
 * p-value for "no difference".
 */
public record PairedAuroc(
    @JsonProperty("auroc_a") double aurocA,
    @JsonProperty("auroc_b") double aurocB,
    double difference,
    @JsonProperty("difference_ci") double[] differenceCi,
    @JsonProperty("p_value") double pValue,
    int resamples) {

  /**
   * Paired bootstrap of AUROC(b) - AUROC(a). The p-value is 2 x the smaller share of resampled differences
   * on either side of 0 (each share counted with the +1 correction, capped at 1): identical detectors give 1.
   */
  public static PairedAuroc of(int[] labels, double[] a, double[] b, int resamples, long seed) {
    Roc.check(labels, a);
    Roc.check(labels, b);
    if (resamples < 1) throw new IllegalArgumentException("bootstrap resamples must be >= 1");
    int[] pos = IntStream.range(0, labels.length).filter(i -> labels[i] == 1).toArray();
    int[] neg = IntStream.range(0, labels.length).filter(i -> labels[i] == 0).toArray();
    if (pos.length == 0 || neg.length == 0) {
      throw new IllegalArgumentException(
          "paired AUROC test needs both classes; got " + pos.length + " positives and " + neg.length + " negatives");
    }
    double aucA = Roc.auroc(labels, a);
    double aucB = Roc.auroc(labels, b);
    int n = labels.length;
    int[] l = new int[n];
    double[] sa = new double[n];
    double[] sb = new double[n];
    double[] diffs = new double[resamples];
    SplittableRandom rng = new SplittableRandom(seed);
    int atOrBelow = 0;
    int atOrAbove = 0;
    for (int r = 0; r < resamples; r++) {
      int k = 0;
      for (int[] cls : new int[][] {pos, neg}) {
        for (int i = 0; i < cls.length; i++, k++) {
          int j = cls[rng.nextInt(cls.length)];
          l[k] = labels[j];
          sa[k] = a[j];
          sb[k] = b[j];
        }
      }
      diffs[r] = Roc.auroc(l, sb) - Roc.auroc(l, sa);
      if (diffs[r] <= 1e-12) atOrBelow++;
      if (diffs[r] >= -1e-12) atOrAbove++;
    }
    Arrays.sort(diffs);
    double p = Math.min(1.0, 2.0 * Math.min(atOrBelow + 1, atOrAbove + 1) / (resamples + 1.0));
    return new PairedAuroc(aucA, aucB, aucB - aucA,
        new double[] {Bootstrap.quantile(diffs, 0.025), Bootstrap.quantile(diffs, 0.975)}, p, resamples);
  }
}
