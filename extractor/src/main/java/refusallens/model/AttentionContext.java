package refusallens.model;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Per-chunk inputs every attention layer shares: batch layout, rotary tables for the chunk's
 * positions, additive masks per window, and the KV cache.
 *
 * @param batch rows B
 * @param chunk new slots S in this pass
 * @param total slots T visible to attention (cached + new)
 * @param cos [B*S, 1, head_dim]
 * @param sin [B*S, 1, head_dim]
 * @param rotateHalf [head_dim, head_dim]
 * @param masks additive masks [B, 1, 1, S, T] (0 or a large negative), keyed by sliding window (empty = full causal)
 */
public record AttentionContext<T>(
    int batch,
    int chunk,
    int total,
    T cos,
    T sin,
    T rotateHalf,
    Map<OptionalInt, T> masks,
    KvCache<T> cache) {

  /** The mask for a layer with the given sliding window (empty = global attention). */
  public T mask(OptionalInt window) {
    T m = masks.get(window);
    if (m == null) {
      throw new IllegalStateException("no attention mask built for window " + window);
    }
    return m;
  }
}
