package refusallens.refusal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * First-token refusal measures on last-position logits (Arditi et al.): the refusal score
 * log(p) - log(1 - p) with p the probability mass of the refusal tokens ("I", "As", ...), and the KL
 * divergence between two next-token distributions.
 */
public final class RefusalScores {
  private RefusalScores() {}

  /** Refusal score of each row of logits [B, vocab]. */
  public static double[] refusalScore(INDArray lastLogits, int[] refusalTokens) {
    if (refusalTokens.length == 0) {
      throw new IllegalArgumentException("the refusal score needs at least one refusal token");
    }
    double[][] logp = logSoftmaxRows(lastLogits);
    double[] out = new double[logp.length];
    for (int b = 0; b < logp.length; b++) {
      double p = 0;
      for (int t : refusalTokens) {
        p += Math.exp(logp[b][t]);
      }
      p = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
      out[b] = Math.log(p) - Math.log1p(-p);
    }
    return out;
  }

  /** KL(base || other) of each row's next-token distribution, logits [B, vocab] each. */
  public static double[] kl(INDArray baseLogits, INDArray otherLogits) {
    double[][] p = logSoftmaxRows(baseLogits);
    double[][] q = logSoftmaxRows(otherLogits);
    if (p.length != q.length) {
      throw new IllegalArgumentException("KL of " + p.length + " rows against " + q.length);
    }
    double[] out = new double[p.length];
    for (int b = 0; b < p.length; b++) {
      double s = 0;
      for (int v = 0; v < p[b].length; v++) {
        s += Math.exp(p[b][v]) * (p[b][v] - q[b][v]);
      }
      out[b] = Math.max(0, s);
    }
    return out;
  }

  /** Index of the largest logit of each row (the greedy next token). */
  public static int[] argmax(INDArray lastLogits) {
    double[][] l = rows(lastLogits);
    int[] out = new int[l.length];
    for (int b = 0; b < l.length; b++) {
      int best = 0;
      for (int v = 1; v < l[b].length; v++) {
        if (l[b][v] > l[b][best]) {
          best = v;
        }
      }
      out[b] = best;
    }
    return out;
  }

  /** Mean of the values (NaN for none). */
  public static double mean(double[] xs) {
    double s = 0;
    for (double x : xs) {
      s += x;
    }
    return xs.length == 0 ? Double.NaN : s / xs.length;
  }

  static double[][] logSoftmaxRows(INDArray logits) {
    double[][] l = rows(logits);
    for (double[] row : l) {
      double m = Double.NEGATIVE_INFINITY;
      for (double x : row) {
        m = Math.max(m, x);
      }
      double z = 0;
      for (double x : row) {
        z += Math.exp(x - m);
      }
      double lse = m + Math.log(z);
      for (int v = 0; v < row.length; v++) {
        row[v] -= lse;
      }
    }
    return l;
  }

  private static double[][] rows(INDArray logits) {
    if (logits.rank() != 2) {
      throw new IllegalArgumentException("expected last-position logits [B, vocab], got rank " + logits.rank());
    }
    return logits.castTo(DataType.DOUBLE).toDoubleMatrix();
  }
}
