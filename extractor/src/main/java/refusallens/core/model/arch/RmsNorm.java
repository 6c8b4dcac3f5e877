package refusallens.core.model.arch;

import refusallens.core.model.ops.TensorOps;

/** RMSNorm over the last dim: x / sqrt(mean(x^2) + eps) * (offset + w); Gemma uses offset 1, Llama 0. */
public final class RmsNorm {
  private RmsNorm() {}

  /** x [N, d], w [d] -> [N, d]. */
  public static <T> T apply(TensorOps<T> ops, T x, T weight, double eps, double offset) {
    return ops.rmsNorm(x, weight, eps, offset);
  }
}
