package refusallens.model;

/** RMSNorm over the last dim: x / sqrt(mean(x^2) + eps) * (offset + w); Gemma uses offset 1, Llama 0. */
public final class RmsNorm {
  private RmsNorm() {}

  /** x [N, d], w [d] -> [N, d]. */
  public static <T> T apply(TensorOps<T> ops, T x, T weight, double eps, double offset) {
    T meanSquare = ops.mean(ops.square(x), 1); // [N, 1]
    T normed = ops.mul(x, ops.rsqrt(ops.addScalar(meanSquare, eps))); // [N, d]
    T scale = offset == 0 ? weight : ops.addScalar(weight, offset); // [d]
    return ops.mul(normed, scale);
  }
}
