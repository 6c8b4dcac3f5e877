package refusallens.probes.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ROC analysis of binary scores (label 1 = positive, predicted positive when score >= threshold), with
 * tied scores handled as one step of the curve.
 */
public final class Roc {
  /** One point of the ROC curve: the rates obtained by flagging every score >= threshold. */
  public record Point(double threshold, double fpr, double tpr) {}

  private Roc() {}

  /** Checks labels (0/1) and scores (finite), same length; both classes present. */
  static void check(int[] labels, double[] scores) {
    if (labels.length != scores.length) {
      throw new IllegalArgumentException(
          "labels (" + labels.length + ") and scores (" + scores.length + ") differ in length");
    }
    int pos = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] != 0 && labels[i] != 1) {
        throw new IllegalArgumentException("label " + labels[i] + " at row " + i + ": expected 0 or 1");
      }
      if (!Double.isFinite(scores[i])) {
        throw new IllegalArgumentException("score " + scores[i] + " at row " + i + " is not finite");
      }
      pos += labels[i];
    }
    if (pos == 0 || pos == labels.length) {
      throw new IllegalArgumentException(
          "ROC needs both classes; got " + pos + " positives of " + labels.length + " rows");
    }
  }

  /**
   * Area under the ROC curve by the Mann-Whitney statistic with mid-ranks: a tied positive/negative pair
   * counts one half.
   */
  public static double auroc(int[] labels, double[] scores) {
    check(labels, scores);
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double rankSumPos = 0;
    long nPos = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) j++;
      double midRank = (i + j) / 2.0 + 1.0; // ranks are 1-based
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1) {
          rankSumPos += midRank;
          nPos++;
        }
      }
      i = j + 1;
    }
    long nNeg = n - nPos;
    return (rankSumPos - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
  }

  /** The ROC curve from (0, 0) to (1, 1), one point per distinct score (ties form one step). */
  public static List<Point> curve(int[] labels, double[] scores) {
    check(labels, scores);
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    long nPos = Arrays.stream(labels).sum();
    long nNeg = n - nPos;
    List<Point> pts = new ArrayList<>();
    pts.add(new Point(Double.POSITIVE_INFINITY, 0, 0));
    long tp = 0;
    long fp = 0;
    int i = 0;
    while (i < n) {
      double s = scores[order[i]];
      while (i < n && scores[order[i]] == s) {
        if (labels[order[i]] == 1) tp++;
        else fp++;
        i++;
      }
      pts.add(new Point(s, (double) fp / nNeg, (double) tp / nPos));
    }
    return pts;
  }

  /**
   * The highest true-positive rate reached by any threshold whose false-positive rate is at most
   * {@code maxFpr} (no interpolation between curve points).
   */
  public static double tprAtFpr(int[] labels, double[] scores, double maxFpr) {
    double best = 0;
    for (Point p : curve(labels, scores)) {
      if (p.fpr() <= maxFpr + 1e-12) best = Math.max(best, p.tpr());
    }
    return best;
  }

  /**
   * The lowest threshold (flag when score >= threshold) whose false-positive rate on the given negative
   * scores is at most {@code targetFpr}: just above the (k+1)-th highest negative, k = floor(target * n).
   */
  public static double thresholdForFpr(double[] negativeScores, double targetFpr) {
    if (negativeScores.length == 0) {
      throw new IllegalArgumentException("choosing a threshold needs at least one negative row");
    }
    if (!(targetFpr >= 0 && targetFpr < 1)) {
      throw new IllegalArgumentException("target FPR " + targetFpr + ": expected 0 <= fpr < 1");
    }
    double[] desc = negativeScores.clone();
    Arrays.sort(desc);
    int n = desc.length;
    int k = (int) Math.floor(targetFpr * n + 1e-9);
    if (k >= n) return Double.NEGATIVE_INFINITY;
    return Math.nextUp(desc[n - 1 - k]);
  }
}
