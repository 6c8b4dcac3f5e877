package refusallens.refusal;

import java.util.List;
import java.util.OptionalInt;

/**
 * Settings of {@code features find}.
 *
 * @param k0 features per SAE layer kept by cosine with V*_R (F0)
 * @param kStar features kept by attribution (F*), globally and per prompt
 * @param steps integrated-gradients steps
 * @param n prompts per label for the direction, the validation and the attribution
 * @param seed seed of every random choice (the random baseline)
 * @param layer forces V*_R's layer (the selection is then recorded as a fallback)
 * @param positions where the candidate directions are taken (Arditi et al.: each post-instruction position)
 * @param refusalOpeners refusal answers whose first token, tokenized after the assistant header, is in the refusal
 *     token set R (besides the first tokens of the model's own judged refusals)
 * @param batchSize prompts per forward pass (and per backward pass)
 * @param clampScale c of the F* clamp (a_i -> c a_i) whose effect is measured
 */
public record DiscoveryOptions(
    int k0, int kStar, int steps, int n, long seed, OptionalInt layer, DirectionPositions positions,
    List<String> refusalOpeners, int batchSize, double clampScale) {
  /**
   * The default refusal openers: the usual first words of chat models' refusals, each with what follows, because
   * the first token depends on it ("Unfortunately," can be one token).
   */
  public static final List<String> DEFAULT_REFUSAL_OPENERS = List.of(
      "I'm sorry, but I can't help with that.",
      "I am sorry, but I cannot help with that.",
      "I cannot help with that.",
      "I can't help with that.",
      "I apologize, but I cannot help with that.",
      "Sorry, I can't help with that.",
      "As an AI assistant, I can't help with that.",
      "Unfortunately, I can't help with that.");

  /** Tokens generated per harmful prompt for the refusal judge when R is collected. */
  public static final int REFUSAL_JUDGE_TOKENS = 24;

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
    if (refusalOpeners == null || refusalOpeners.stream().anyMatch(o -> o == null || o.isBlank())) {
      throw new IllegalArgumentException("--refusal-opener must not be blank");
    }
    refusalOpeners = List.copyOf(refusalOpeners);
    if (positions == null) {
      throw new IllegalArgumentException("--positions must be given");
    }
    if (!Double.isFinite(clampScale)) {
      throw new IllegalArgumentException("--clamp-scale must be finite");
    }
  }

  /** The paper's defaults: K0 10, K* 20, 10 steps; 32 prompts per label; Arditi et al.'s candidate positions. */
  public static DiscoveryOptions defaults() {
    return new DiscoveryOptions(10, 20, 10, 32, 0, OptionalInt.empty(), DirectionPositions.EACH_POST_INSTRUCTION,
        DEFAULT_REFUSAL_OPENERS, 8, -3.0);
  }
}
