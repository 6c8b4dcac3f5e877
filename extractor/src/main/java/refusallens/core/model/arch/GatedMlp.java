package refusallens.core.model.arch;

import refusallens.core.model.ops.TensorOps;

/** The gated MLP of Gemma and Llama: down(act(gate(x)) * up(x)). */
public final class GatedMlp {
  private GatedMlp() {}

  /** x [N, d] -> [N, d]; weights gate/up [d_mlp, d], down [d, d_mlp]. */
  public static <T> T apply(
      TensorOps<T> ops, T x, String gate, String up, String down, Activation activation) {
    T g = ops.linear(x, ops.weight(gate)); // [N, d_mlp]
    T u = ops.linear(x, ops.weight(up)); // [N, d_mlp]
    T act =
        switch (activation) {
          case GELU_TANH -> ops.geluTanh(g);
          case SILU -> ops.silu(g);
        };
    return ops.linear(ops.mul(act, u), ops.weight(down)); // [N, d]
  }
}
