package refusallens.core.model.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The small set of tensor operations the architectures are written against, so that one model
 * definition serves eager inference ({@link EagerOps}, INDArray) and differentiation
 * ({@link SameDiffOps}, SDVariable). Dimensions are explicit non-negative indices; reductions keep
 * the reduced dimension (size 1) so results broadcast back.
 *
 * @param <T> the tensor type
 */
public interface TensorOps<T> {
  /** The float32 parameter stored under a checkpoint tensor name. */
  T weight(String name);

  /** A constant tensor (masks, rotary tables, selectors). */
  T constant(INDArray value);

  /** A constant tensor of c-order {@code values} (masks, rotary tables) without an INDArray in between. */
  default T constant(float[] values, long... shape) {
    return constant(org.nd4j.linalg.factory.Nd4j.create(values, shape, 'c'));
  }

  /** Dense layer without bias: x [N, in] times w [out, in] transposed gives [N, out]. */
  T linear(T x, T w);

  /** Batched matrix product over leading dims: [..., m, k] x [..., k, n] (or [..., n, k] transposed). */
  T matmul(T a, T b, boolean transposeB);

  /** Elementwise with numpy broadcasting. */
  T add(T a, T b);

  T sub(T a, T b);

  T mul(T a, T b);

  T div(T a, T b);

  T mulScalar(T a, double s);

  T addScalar(T a, double s);

  T tanh(T x);

  T sigmoid(T x);

  T exp(T x);

  T log(T x);

  /** 1 / sqrt(x). */
  T rsqrt(T x);

  T square(T x);

  /** Mean over {@code dim}, kept as size 1. */
  T mean(T x, int dim);

  /** Sum over {@code dim}, kept as size 1. */
  T sum(T x, int dim);

  /** Max over {@code dim}, kept as size 1. */
  T max(T x, int dim);

  /** Sum of every element: a scalar. */
  T sumAll(T x);

  /** C-order reshape. */
  T reshape(T x, long... shape);

  T permute(T x, int... dims);

  /** Rows of a [rows, d] table: [ids.length, d]. */
  T gatherRows(T table, int[] ids);

  /** Concatenation along {@code dim}. */
  T concat(int dim, T a, T b);

  /** Identity whose gradient is zero (e.g. an SAE error term carried past a splice). */
  T stopGradient(T x);

  /** The value as an array (evaluates a graph variable). */
  INDArray value(T x);

  /**
   * What non-finite value {@code x} holds ({@code NaN}, else {@code infinity}), or empty when every element is
   * finite. A graph backend has no values while its graph is built and answers empty.
   */
  java.util.Optional<String> nonFinite(T x);

  /** Called between layers: a point where the backend may release the previous layer's intermediates. */
  default void releasePoint() {}

  // ---- composites, written once for both backends ----

  /** GELU with the tanh approximation, written out: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
  default T geluTanh(T x) {
    T cube = mul(square(x), x);
    T inner = mulScalar(add(x, mulScalar(cube, 0.044715)), Math.sqrt(2.0 / Math.PI));
    return mul(mulScalar(x, 0.5), addScalar(tanh(inner), 1.0));
  }

  /** x * sigmoid(x). */
  default T silu(T x) {
    return mul(x, sigmoid(x));
  }

  /** Soft-capping: cap * tanh(x / cap). */
  default T softcap(T x, double cap) {
    return mulScalar(tanh(mulScalar(x, 1.0 / cap)), cap);
  }

  /** log(sum(exp(x))) over {@code dim}, stabilised by the (gradient-free) max. */
  default T logSumExp(T x, int dim) {
    T m = stopGradient(max(x, dim));
    return add(log(sum(exp(sub(x, m)), dim)), m);
  }

  /** x - logsumexp(x): written out because SameDiff's logSoftmax breaks the gradient build. */
  default T logSoftmax(T x, int dim) {
    return sub(x, logSumExp(x, dim));
  }

  /**
   * Scaled dot-product attention of grouped query heads: softmax(mask + softcap(scaling q k^T)) v, with q [B,
   * KV, G*S, hd] (the G query heads of each kv head stacked), k and v [B, KV, T, hd], the additive mask [B, 1,
   * 1, S, T]; gives [B, KV, G*S, hd]. Written here once from the primitives; a backend may fuse it.
   */
  default T attention(T q, T k, T v, T mask, long b, long kv, long g, long s, long t, double scaling,
      java.util.OptionalDouble logitSoftcap) {
    T scores = mulScalar(reshape(matmul(q, k, true), b, kv, g, s, t), scaling);
    if (logitSoftcap.isPresent()) {
      scores = softcap(scores, logitSoftcap.getAsDouble());
    }
    T probs = softmax(add(scores, mask), 4);
    return matmul(reshape(probs, b, kv, g * s, t), v, false);
  }

  /**
   * Rotary embedding x cos + rotate_half(x) sin of x [n, heads, hd] with cos/sin [n, 1, hd]; written here as
   * a product with {@code rotateHalf} ([hd, hd], the matrix of HF's rotate_half), which a backend may write out.
   */
  default T rotary(T x, long n, long heads, int hd, T cos, T sin, T rotateHalf) {
    T rotated = reshape(matmul(reshape(x, n * heads, hd), rotateHalf, false), n, heads, hd);
    return add(mul(x, cos), mul(rotated, sin));
  }

  /** RMSNorm over the last dim of x [N, d]: x / sqrt(mean(x^2) + eps) * (offset + w), w [d]. */
  default T rmsNorm(T x, T weight, double eps, double offset) {
    T meanSquare = mean(square(x), 1); // [N, 1]
    T normed = mul(x, rsqrt(addScalar(meanSquare, eps))); // [N, d]
    T scale = offset == 0 ? weight : addScalar(weight, offset); // [d]
    return mul(normed, scale);
  }

  /** Softmax over {@code dim}. */
  default T softmax(T x, int dim) {
    T e = exp(sub(x, stopGradient(max(x, dim))));
    return div(e, sum(e, dim));
  }
}
