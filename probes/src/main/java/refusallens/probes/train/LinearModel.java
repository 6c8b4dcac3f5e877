package refusallens.probes.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A linear probe: P(harmful) = sigmoid(weights . z + bias). */
public record LinearModel(double[] weights, double bias) implements ProbeModel {
  @JsonCreator
  public LinearModel(@JsonProperty("weights") double[] weights, @JsonProperty("bias") double bias) {
    if (weights == null || weights.length == 0) throw new IllegalArgumentException("linear probe needs weights");
    if (!Double.isFinite(bias)) throw new IllegalArgumentException("linear probe bias is not finite");
    this.weights = weights;
    this.bias = bias;
  }

  /** The decision value weights . z + bias. */
  @Override
  public double logit(double[] z) {
    double t = bias;
    for (int j = 0; j < weights.length; j++) t += weights[j] * z[j];
    return t;
  }

  @Override
  public int width() {
    return weights.length;
  }
}
