package refusallens.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A scalar metric to differentiate: sum over terms of {@code coefficient * log_softmax(logits[row,
 * position])[token]}; covers the log-prob of a target token, a difference of two, and sums over a batch.
 * Positions index a row's real tokens (0 = first, not counting left padding).
 */
public record LogProbMetric(List<Term> terms) {
  /** One weighted log-probability. */
  public record Term(int row, int position, int token, double coefficient) {
    public Term {
      if (row < 0 || position < 0 || token < 0) {
        throw new IllegalArgumentException(
            "metric term needs row, position, token >= 0, got " + row + ", " + position + ", " + token);
      }
    }
  }

  public LogProbMetric {
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("a log-prob metric needs at least one term");
    }
    terms = List.copyOf(terms);
  }

  /** Sum over rows of log p(token | each row's whole prompt) at its last position. */
  public static LogProbMetric lastToken(TokenBatch batch, int token) {
    List<Term> t = new ArrayList<>();
    for (int b = 0; b < batch.size(); b++) {
      t.add(new Term(b, batch.row(b).length - 1, token, 1.0));
    }
    return new LogProbMetric(t);
  }

  /** Sum over rows of log p(plus) - log p(minus) at each row's last position (e.g. refusal vs compliance token). */
  public static LogProbMetric lastTokenDifference(TokenBatch batch, int plus, int minus) {
    List<Term> t = new ArrayList<>();
    for (int b = 0; b < batch.size(); b++) {
      int last = batch.row(b).length - 1;
      t.add(new Term(b, last, plus, 1.0));
      t.add(new Term(b, last, minus, -1.0));
    }
    return new LogProbMetric(t);
  }
}
