package refusallens.eval.judge;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shares of judged completions that refused, complied and were degenerate (summing to 1), with n and each
 * share's 95 % Wilson interval: what every result with a jailbreak score reports beside it.
 *
 * @param ci95 per outcome name, {@code [low, high]}
 */
@JsonPropertyOrder({"n", "refused", "complied", "degenerate", "ci95"})
public record Outcomes(int n, double refused, double complied, double degenerate, Map<String, double[]> ci95) {
  /** z of a two-sided 95 % interval. */
  static final double Z95 = 1.959963984540054;

  /** The shares of {@code verdicts} (NaN shares and [0, 1] intervals for none). */
  public static Outcomes of(List<Verdict> verdicts) {
    Map<Outcome, Integer> count = new EnumMap<>(Outcome.class);
    for (Outcome o : Outcome.values()) {
      count.put(o, 0);
    }
    verdicts.forEach(v -> count.merge(v.outcome(), 1, Integer::sum));
    int n = verdicts.size();
    Map<String, double[]> ci = new LinkedHashMap<>();
    for (Outcome o : Outcome.values()) {
      ci.put(o.wireName(), wilson(count.get(o), n));
    }
    return new Outcomes(n, share(count.get(Outcome.REFUSED), n), share(count.get(Outcome.COMPLIED), n),
        share(count.get(Outcome.DEGENERATE), n), ci);
  }

  private static double share(int k, int n) {
    return n == 0 ? Double.NaN : (double) k / n;
  }

  /** The 95 % Wilson score interval of {@code k} successes in {@code n} trials ([0, 1] for n = 0). */
  public static double[] wilson(int k, int n) {
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("wilson interval needs 0 <= k <= n, got k=" + k + " n=" + n);
    }
    if (n == 0) {
      return new double[] {0, 1};
    }
    double p = (double) k / n;
    double z2 = Z95 * Z95;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
    // exact ends at k = 0 and k = n (the formula gives them up to rounding)
    return new double[] {k == 0 ? 0 : Math.max(0, centre - half), k == n ? 1 : Math.min(1, centre + half)};
  }

  /** The share with {@code o}. */
  public double share(Outcome o) {
    return switch (o) {
      case REFUSED -> refused;
      case COMPLIED -> complied;
      case DEGENERATE -> degenerate;
    };
  }
}
