package refusallens.refusal;

import java.util.OptionalInt;

/**
 * Settings of {@code features find}.
 *
 * @param k0 features per SAE layer kept by cosine with V*_R (F0)
 * @param kStar features kept by attribution (F*), globally and per prompt
 * @param steps integrated-gradients steps
 * @param n prompts per label for the direction, the validation and the attribution
 * @param seed seed of every random choice (the random baseline)
 * @param layer forces V*_R's layer
 * @param positions positions of the difference in means
 * @param refusalToken text whose first token is a refusal token ("I"); the metric uses the refusal token the
 *     model most often starts harmful answers with, this one where it never starts with any
 * @param batchSize prompts per forward pass (and per backward pass)
 * @param clampScale c of the F* clamp (a_i -> c a_i) whose effect is measured
 */
public record DiscoveryOptions(
    int k0, int kStar, int steps, int n, long seed, OptionalInt layer, DirectionPositions positions,
    String refusalToken, int batchSize, double clampScale) {
  public DiscoveryOptions {
    if (k0 < 1) {
      throw new IllegalArgumentException("--k0 must be >= 1, got " + k0);
    }
    if (kStar < 1) {
      throw new IllegalArgumentException("--kstar must be >= 1, got " + kStar);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
    }
    if (n < 1) {
      throw new IllegalArgumentException("--n must be >= 1, got " + n);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    if (refusalToken == null || refusalToken.isEmpty()) {
      throw new IllegalArgumentException("--refusal-token must not be empty");
    }
    if (!Double.isFinite(clampScale)) {
      throw new IllegalArgumentException("--clamp-scale must be finite");
    }
  }

  /** The paper's defaults: K0 10, K* 20, 10 steps; 32 prompts per label. */
  public static DiscoveryOptions defaults() {
    return new DiscoveryOptions(10, 20, 10, 32, 0, OptionalInt.empty(), DirectionPositions.LAST, "I", 8, -3.0);
  }
}
