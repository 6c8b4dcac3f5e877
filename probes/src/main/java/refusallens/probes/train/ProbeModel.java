package refusallens.probes.train;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A fitted probe on standardised features: a decision value (logit) whose sigmoid is P(harmful). Ranking
 * metrics and thresholds use the logit, which does not saturate where the probability rounds to 0 or 1.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = LinearModel.class, name = "linear"),
  @JsonSubTypes.Type(value = MlpModel.class, name = "mlp")
})
public sealed interface ProbeModel permits LinearModel, MlpModel {
  /** The decision value (log-odds of harmful) for one standardised row. */
  double logit(double[] z);

  /** Probability of the positive (harmful) class for one standardised row. */
  default double probability(double[] z) {
    return sigmoid(logit(z));
  }

  /** Number of input columns. */
  int width();

  /** The logistic function, stable for large |t|. */
  static double sigmoid(double t) {
    if (t >= 0) return 1 / (1 + Math.exp(-t));
    double e = Math.exp(t);
    return e / (1 + e);
  }
}
