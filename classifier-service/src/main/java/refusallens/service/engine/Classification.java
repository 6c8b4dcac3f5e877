package refusallens.service.engine;

import java.util.List;

/**
 * The probe's verdict input for one prompt: probability of the positive class, the features that drove it
 * (largest absolute contribution first) and the prompt's length in tokens.
 */
public record Classification(double score, List<FeatureContribution> topFeatures, int promptTokens) {
  public Classification {
    if (!(score >= 0.0 && score <= 1.0)) {
      throw new IllegalArgumentException("score must be a probability in [0, 1], got " + score);
    }
    topFeatures = List.copyOf(topFeatures);
  }
}
