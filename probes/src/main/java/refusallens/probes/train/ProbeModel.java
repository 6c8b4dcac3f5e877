package refusallens.probes.train;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A fitted probe on standardised features: maps z to P(harmful). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = LinearModel.class, name = "linear"),
  @JsonSubTypes.Type(value = MlpModel.class, name = "mlp")
})
public sealed interface ProbeModel permits LinearModel, MlpModel {
  /** Probability of the positive (harmful) class for one standardised row. */
  double probability(double[] z);

  /** Number of input columns. */
  int width();

  /** The logistic function, stable for large |t|. */
  static double sigmoid(double t) {
    if (t >= 0) return 1 / (1 + Math.exp(-t));
    double e = Math.exp(t);
    return e / (1 + e);
  }
}
