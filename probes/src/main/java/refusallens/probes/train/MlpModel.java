package refusallens.probes.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A one-hidden-layer MLP probe, evaluated in plain Java so that serving it needs no Deeplearning4j:
 * h = relu(hiddenWeights[j] . z + hiddenBias[j]); P(harmful) = sigmoid(outputWeights . h + outputBias).
 */
public record MlpModel(
    double[][] hiddenWeights, double[] hiddenBias, double[] outputWeights, double outputBias)
    implements ProbeModel {
  @JsonCreator
  public MlpModel(
      @JsonProperty("hiddenWeights") double[][] hiddenWeights,
      @JsonProperty("hiddenBias") double[] hiddenBias,
      @JsonProperty("outputWeights") double[] outputWeights,
      @JsonProperty("outputBias") double outputBias) {
    if (hiddenWeights == null || hiddenWeights.length == 0
        || hiddenBias == null || hiddenBias.length != hiddenWeights.length
        || outputWeights == null || outputWeights.length != hiddenWeights.length) {
      throw new IllegalArgumentException(
          "MLP probe: hiddenWeights [h][p], hiddenBias [h] and outputWeights [h] must agree on h");
    }
    this.hiddenWeights = hiddenWeights;
    this.hiddenBias = hiddenBias;
    this.outputWeights = outputWeights;
    this.outputBias = outputBias;
  }

  @Override
  public double logit(double[] z) {
    double t = outputBias;
    for (int h = 0; h < hiddenWeights.length; h++) {
      double a = hiddenBias[h];
      double[] w = hiddenWeights[h];
      for (int j = 0; j < w.length; j++) a += w[j] * z[j];
      if (a > 0) t += outputWeights[h] * a;
    }
    return t;
  }

  @Override
  public int width() {
    return hiddenWeights[0].length;
  }
}
