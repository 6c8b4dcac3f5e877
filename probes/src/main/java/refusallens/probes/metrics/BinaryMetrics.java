package refusallens.probes.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Metrics of a binary detector on one evaluation set, from decision values (logits): ranking metrics use
 * the logits, threshold metrics flag logit >= threshold, calibration uses sigmoid(logit).
 */
public record BinaryMetrics(
    int n,
    int positives,
    double accuracy,
    @JsonProperty("auroc") double auroc,
    @JsonProperty("auroc_ci") double[] aurocCi,
    double f1,
    @JsonProperty("tpr_at_1fpr") double tprAt1Fpr,
    double ece,
    @JsonProperty("detection_rate") double detectionRate) {

  /** Default number of equal-width probability bins of the calibration error. */
  public static final int ECE_BINS = 10;

  /** Default bootstrap resamples of the AUROC interval. */
  public static final int BOOTSTRAP = 1000;

  /**
   * Computes every metric from logits; a row is flagged when its logit >= threshold. AUROC, its interval
   * and TPR@1%FPR are NaN when the set has one class only.
   */
  public static BinaryMetrics of(int[] labels, double[] logits, double threshold, int bootstrap, long seed) {
    double[] probabilities = new double[logits.length];
    for (int i = 0; i < logits.length; i++) probabilities[i] = 1 / (1 + Math.exp(-logits[i]));
    int n = labels.length;
    int pos = 0;
    int tp = 0;
    int fp = 0;
    int tn = 0;
    for (int i = 0; i < n; i++) {
      boolean flag = logits[i] >= threshold;
      pos += labels[i];
      if (labels[i] == 1 && flag) tp++;
      if (labels[i] == 0 && flag) fp++;
      if (labels[i] == 0 && !flag) tn++;
    }
    boolean both = pos > 0 && pos < n;
    double auroc = both ? Roc.auroc(labels, logits) : Double.NaN;
    double[] ci = both ? Bootstrap.aurocInterval(labels, logits, bootstrap, 0.95, seed) : null;
    double tpr1 = both ? Roc.tprAtFpr(labels, logits, 0.01) : Double.NaN;
    return new BinaryMetrics(
        n,
        pos,
        n == 0 ? Double.NaN : (double) (tp + tn) / n,
        auroc,
        ci,
        f1(tp, fp, pos - tp),
        tpr1,
        Calibration.expectedCalibrationError(labels, probabilities, ECE_BINS),
        pos == 0 ? Double.NaN : (double) tp / pos);
  }

  /** F1 of the positive class; 0 when there is no true positive. */
  public static double f1(int tp, int fp, int fn) {
    if (tp == 0) return 0;
    double precision = (double) tp / (tp + fp);
    double recall = (double) tp / (tp + fn);
    return 2 * precision * recall / (precision + recall);
  }
}
