package refusallens.core.model.arch;

import java.util.OptionalDouble;
import java.util.OptionalInt;
import refusallens.core.model.KvCache;
import refusallens.core.model.ops.TensorOps;

/**
 * Causal self-attention with grouped-query heads, rotary embeddings, optional logit soft-capping and
 * optional sliding window: the attention of both Gemma-2 and Llama.
 */
public final class Attention {
  private Attention() {}

  /** Shape and numerics of one attention layer. */
  public record Spec(
      int numHeads, int numKvHeads, int headDim, double scaling, OptionalDouble logitSoftcap, OptionalInt window) {
    public Spec {
      if (numHeads % numKvHeads != 0) {
        throw new IllegalArgumentException("heads " + numHeads + " not a multiple of kv heads " + numKvHeads);
      }
    }
  }

  /** Checkpoint names of the projections. */
  public record Weights(String q, String k, String v, String o) {
    /** HF names under {@code prefix} (e.g. {@code model.layers.3.self_attn.}). */
    public static Weights hf(String prefix) {
      return new Weights(prefix + "q_proj.weight", prefix + "k_proj.weight", prefix + "v_proj.weight", prefix + "o_proj.weight");
    }
  }

  /** x [N = B*S, d] -> [N, d]. */
  public static <T> T apply(TensorOps<T> ops, T x, Weights w, Spec spec, AttentionContext<T> ctx, int layer) {
    long b = ctx.batch();
    long s = ctx.queryChunk(); // query slots per row (every slot, or the last one)
    long t = ctx.total();
    long n = b * s;
    long nAll = b * ctx.chunk(); // key/value slots of this chunk
    int h = spec.numHeads();
    int kv = spec.numKvHeads();
    int g = h / kv;
    int hd = spec.headDim();

    // projections: q [N, H*hd], k/v [N, KV*hd]
    T q = ops.linear(ctx.queryRows(ops, x), ops.weight(w.q()));
    T k = ops.linear(x, ops.weight(w.k()));
    T v = ops.linear(x, ops.weight(w.v()));

    // rotary embedding on q [N, H, hd] and k [N, KV, hd]
    q = ctx.lastSlotQueries() == null
        ? rotate(ops, ops.reshape(q, n, h, hd), ctx, n * h, hd)
        : ops.rotary(ops.reshape(q, n, h, hd), n, h, hd, ctx.lastSlotQueries().cos(), ctx.lastSlotQueries().sin(),
            ctx.rotateHalf());
    k = rotate(ops, ops.reshape(k, nAll, kv, hd), ctx, nAll * kv, hd);

    // heads first; query heads grouped under their kv head: q [B, KV, G*S, hd], k/v [B, KV, S, hd]
    T qh = ops.reshape(ops.permute(ops.reshape(q, b, s, kv, g, hd), 0, 2, 3, 1, 4), b, kv, g * s, hd);
    T kh = ops.permute(ops.reshape(k, b, ctx.chunk(), kv, hd), 0, 2, 1, 3);
    T vh = ops.permute(ops.reshape(v, b, ctx.chunk(), kv, hd), 0, 2, 1, 3);

    // all cached + new slots: [B, KV, T, hd]
    KvCache.Entry<T> all = ctx.cache().append(layer, kh, vh);

    // softmax(mask + softcap(scaled scores)) v: [B, KV, G*S, hd] -> [B, S, KV, G, hd] -> [N, H*hd]
    T mixed = ops.attention(qh, all.keys(), all.values(), ctx.queryMask(spec.window()), b, kv, g, s, t, spec.scaling(),
        spec.logitSoftcap());
    T merged = ops.reshape(ops.permute(ops.reshape(mixed, b, kv, g, s, hd), 0, 3, 1, 2, 4), n, (long) h * hd);

    // output projection [N, d]
    return ops.linear(merged, ops.weight(w.o()));
  }

  /** x [N, heads, hd] -> x cos + rotate_half(x) sin, cos/sin [N, 1, hd]. */
  private static <T> T rotate(TensorOps<T> ops, T x, AttentionContext<T> ctx, long rows, int hd) {
    long n = ctx.batch() * (long) ctx.chunk();
    return ops.rotary(x, n, rows / n, hd, ctx.cos(), ctx.sin(), ctx.rotateHalf());
  }
}
