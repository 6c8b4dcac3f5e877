package refusallens.refusal;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * First-token refusal measures on last-position logits (Arditi et al.): the refusal score
 * log sum_{t in R} p(t) - log sum_{t not in R} p(t) over the refusal token set R ({@link RefusalTokens}), the
 * probability mass of R, and the KL divergence between two next-token distributions.
 */
public final class RefusalScores {
  /** Arditi et al.'s epsilon in the refusal score's logarithms (select_direction.refusal_score). */
  static final double EPSILON = 1e-8;

  private RefusalScores() {}

  /** Refusal score of each row of logits [B, vocab]: log(p_R + eps) - log(p_notR + eps), as Arditi et al. */
  public static double[] refusalScore(INDArray lastLogits, int[] refusalTokens) {
    double[][] mass = mass(lastLogits, refusalTokens);
    double[] out = new double[mass.length];
    for (int b = 0; b < mass.length; b++) {
      out[b] = Math.log(mass[b][0] + EPSILON) - Math.log(mass[b][1] + EPSILON);
    }
    return out;
  }

  /** Probability mass of the refusal tokens in each row of logits [B, vocab]. */
  public static double[] refusalProbability(INDArray lastLogits, int[] refusalTokens) {
    double[][] mass = mass(lastLogits, refusalTokens);
    double[] out = new double[mass.length];
    for (int b = 0; b < mass.length; b++) {
      out[b] = mass[b][0];
    }
    return out;
  }

  /** {p(R), p(not R)} of each row; p(not R) summed over the other tokens rather than 1 - p(R), for precision. */
  private static double[][] mass(INDArray lastLogits, int[] refusalTokens) {
    if (refusalTokens.length == 0) {
      throw new IllegalArgumentException("the refusal score needs at least one refusal token");
    }
    double[][] logp = logSoftmaxRows(lastLogits);
    double[][] out = new double[logp.length][2];
    for (int b = 0; b < logp.length; b++) {
      boolean[] inR = new boolean[logp[b].length];
      for (int t : refusalTokens) {
        if (t < 0 || t >= inR.length) {
          throw new IllegalArgumentException("refusal token id " + t + " is outside the vocabulary of " + inR.length);
        }
        inR[t] = true;
      }
      for (int v = 0; v < logp[b].length; v++) {
        out[b][inR[v] ? 0 : 1] += Math.exp(logp[b][v]);
      }
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
    return argmax(lastLogits, v -> true);
  }

  /** Index of the largest logit of each row among the tokens {@code allowed} accepts (-1 when none). */
  public static int[] argmax(INDArray lastLogits, java.util.function.IntPredicate allowed) {
    double[][] l = rows(lastLogits);
    int[] out = new int[l.length];
    for (int b = 0; b < l.length; b++) {
      int best = -1;
      for (int v = 0; v < l[b].length; v++) {
        if (allowed.test(v) && (best < 0 || l[b][v] > l[b][best])) {
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
