package refusallens.intervention;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.model.Hook;
import refusallens.model.HookName;
import refusallens.model.Hooks;
import refusallens.model.TensorOps;

/**
 * Directional ablation of the residual stream (Arditi et al. 2024): x -> x - (x . r) r with r the unit
 * refusal direction, at every position, as one hook that works on the eager path and in the SameDiff
 * gradient path alike.
 */
public final class DirectionAblation {
  private final INDArray unit; // [d], ||unit|| = 1
  private final double norm; // ||direction|| before normalisation

  private DirectionAblation(INDArray unit, double norm) {
    this.unit = unit;
    this.norm = norm;
  }

  /** Ablation of {@code direction} [d] (any non-zero length; it is normalised). */
  public static DirectionAblation of(INDArray direction) {
    if (direction.rank() != 1 && !(direction.rank() == 2 && direction.size(0) == 1)) {
      throw new IllegalArgumentException("a direction is a vector [d], got " + Arrays.toString(direction.shape()));
    }
    INDArray v = direction.castTo(DataType.FLOAT).reshape(direction.length()).dup();
    double n = v.norm2Number().doubleValue();
    if (!(n > 0) || !Double.isFinite(n)) {
      throw new IllegalArgumentException("cannot ablate a direction of norm " + n);
    }
    return new DirectionAblation(v.divi(n), n);
  }

  /** The unit direction [d] (a copy). */
  public INDArray unit() {
    return unit.dup();
  }

  /** Length of the direction given to {@link #of}. */
  public double norm() {
    return norm;
  }

  public int dModel() {
    return (int) unit.length();
  }

  /** x [..., d] with its component along the direction removed (a new array). */
  public INDArray apply(INDArray x) {
    long[] shape = x.shape();
    requireWidth(shape[shape.length - 1]);
    INDArray flat = x.castTo(DataType.FLOAT).reshape(x.length() / dModel(), dModel()); // [N, d]
    INDArray proj = flat.mmul(unit.reshape(dModel(), 1)); // [N, 1]
    return flat.sub(proj.mmul(unit.reshape(1, dModel()))).reshape(shape);
  }

  /** The hook that ablates the direction at every position of the chunk it sees ([B, S, d]). */
  public <T> Hook<T> hook() {
    return (act, name, ctx) -> ablate(ctx.ops(), act, ctx.batch(), ctx.chunkLength());
  }

  /**
   * Hooks ablating the direction from the whole residual stream: the embeddings ({@code resid_pre} of layer 0)
   * and the output of every layer. Arditi et al. also ablate each attention and MLP output, so that the stream
   * between a layer's attention and its MLP is clean too; this runtime's hook points are the resid_pre/post
   * ones, so only the stream between layers is kept free of the direction.
   */
  public <T> Hooks<T> everyLayer(int numLayers) {
    Hooks<T> h = Hooks.of(HookName.residPre(0), hook());
    for (int layer = 0; layer < numLayers; layer++) {
      h = h.with(HookName.residPost(layer), hook());
    }
    return h;
  }

  private <T> T ablate(TensorOps<T> ops, T act, int batch, int length) {
    int d = dModel();
    T flat = ops.reshape(act, (long) batch * length, d); // [N, d]
    T proj = ops.matmul(flat, ops.constant(unit.reshape(d, 1)), false); // [N, 1]
    T along = ops.mul(proj, ops.constant(unit.reshape(1, d))); // [N, d]
    return ops.reshape(ops.sub(flat, along), batch, length, d);
  }

  private void requireWidth(long d) {
    if (d != dModel()) {
      throw new IllegalArgumentException("direction ablation of width " + dModel() + " given activations of width " + d);
    }
  }
}
