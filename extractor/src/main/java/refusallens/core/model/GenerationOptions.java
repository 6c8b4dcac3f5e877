package refusallens.core.model;

import java.util.Set;

/**
 * Greedy decoding settings: at most {@code maxNewTokens} per row; a row stops after emitting one of
 * {@code stopTokens} (kept in its output); {@code useKvCache} false recomputes every step from scratch.
 */
public record GenerationOptions(int maxNewTokens, Set<Integer> stopTokens, boolean useKvCache) {
  public GenerationOptions {
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
    }
    stopTokens = Set.copyOf(stopTokens);
  }

  /** With the model's stop tokens and the KV cache. */
  public static GenerationOptions greedy(Transformer model, int maxNewTokens) {
    return new GenerationOptions(maxNewTokens, model.stopTokens(), true);
  }

  public GenerationOptions withoutStops() {
    return new GenerationOptions(maxNewTokens, Set.of(), useKvCache);
  }

  public GenerationOptions withKvCache(boolean on) {
    return new GenerationOptions(maxNewTokens, stopTokens, on);
  }
}
