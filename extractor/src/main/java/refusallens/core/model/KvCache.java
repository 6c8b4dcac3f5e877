package refusallens.core.model;

import refusallens.core.model.ops.TensorOps;

/**
 * Keys and values of earlier positions, per layer, so a decode step only computes its new tokens.
 *
 * @param <T> the tensor type
 */
public interface KvCache<T> {
  /**
   * Appends a chunk's keys and values ([batch, kv_heads, chunk, head_dim]) for {@code layer} and
   * returns those of every slot so far ([batch, kv_heads, slots, head_dim]).
   */
  Entry<T> append(int layer, T keys, T values);

  /** Keys and values of every cached slot of one layer. */
  record Entry<T>(T keys, T values) {}

  /**
   * A cache that grows by concatenating each chunk's keys and values along the slot dim with {@code ops}: the
   * cache of eager generation on any backend.
   */
  static <T> KvCache<T> growing(TensorOps<T> ops, int numLayers) {
    java.util.List<Entry<T>> layers = new java.util.ArrayList<>(java.util.Collections.nCopies(numLayers, null));
    return (layer, keys, values) -> {
      Entry<T> old = layers.get(layer);
      Entry<T> now = old == null ? new Entry<>(keys, values)
          : new Entry<>(ops.concat(2, old.keys(), keys), ops.concat(2, old.values(), values));
      layers.set(layer, now);
      return now;
    };
  }

  /** No cache: the chunk is the whole sequence. */
  static <T> KvCache<T> none() {
    return (layer, keys, values) -> new Entry<>(keys, values);
  }
}
