package refusallens.core.model.arch;

import java.util.Map;
import java.util.OptionalInt;
import refusallens.core.model.KvCache;
import refusallens.core.model.ops.TensorOps;

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
    KvCache<T> cache,
    Queries<T> lastSlotQueries) {

  /**
   * In a layer whose output is read at the last slot of each row only: the rows of those slots in the [B*S]
   * stream, their rotary tables [B, 1, head_dim] and masks [B, 1, 1, 1, T]. Keys and values still come from
   * every slot.
   */
  public record Queries<T>(int[] rows, T cos, T sin, Map<OptionalInt, T> masks) {}

  /** This context with queries at the last slots only (null: every slot is a query). */
  public AttentionContext<T> withLastSlotQueries(Queries<T> q) {
    return new AttentionContext<>(batch, chunk, total, cos, sin, rotateHalf, masks, cache, q);
  }

  /** The query rows of x [B*S, d]: the last slots when set, else x itself. */
  public T queryRows(TensorOps<T> ops, T x) {
    return lastSlotQueries == null ? x : ops.gatherRows(x, lastSlotQueries.rows());
  }

  /** Query slots per row: 1 with last-slot queries, else the chunk. */
  public int queryChunk() {
    return lastSlotQueries == null ? chunk : 1;
  }

  /** The mask of the queries for a window. */
  public T queryMask(OptionalInt window) {
    if (lastSlotQueries == null) {
      return mask(window);
    }
    T m = lastSlotQueries.masks().get(window);
    if (m == null) {
      throw new IllegalStateException("no last-slot attention mask built for window " + window);
    }
    return m;
  }

  /** The mask for a layer with the given sliding window (empty = global attention). */
  public T mask(OptionalInt window) {
    T m = masks.get(window);
    if (m == null) {
      throw new IllegalStateException("no attention mask built for window " + window);
    }
    return m;
  }
}
