package refusallens.core.intervention;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.Hook;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.ops.TensorOps;

/**
 * Directional ablation of the residual stream (Arditi et al. 2024): x -> x - (x . r) r with r the unit
 * refusal direction, at every position, as one hook that works on the eager path and in the SameDiff
 * gradient path alike.
 */
public final class DirectionAblation {
  private final UnitDirection direction;

  private DirectionAblation(UnitDirection direction) {
    this.direction = direction;
  }

  /** Ablation of {@code direction} [d] (any non-zero length; it is normalised). */
  public static DirectionAblation of(INDArray direction) {
    return new DirectionAblation(UnitDirection.of(direction));
  }

  /** The unit direction [d] (a copy). */
  public INDArray unit() {
    return direction.unit();
  }

  /** Length of the direction given to {@link #of}. */
  public double norm() {
    return direction.norm();
  }

  public int dModel() {
    return direction.dModel();
  }

  /** x [..., d] with its component along the direction removed (a new array). */
  public INDArray apply(INDArray x) {
    long[] shape = x.shape();
    direction.requireWidth(shape[shape.length - 1]);
    INDArray flat = x.castTo(DataType.FLOAT).reshape(x.length() / dModel(), dModel()); // [N, d]
    INDArray proj = flat.mmul(direction.column()); // [N, 1]
    return flat.sub(proj.mmul(direction.row())).reshape(shape);
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
    T proj = ops.matmul(flat, ops.constant(direction.column()), false); // [N, 1]
    T along = ops.mul(proj, ops.constant(direction.row())); // [N, d]
    return ops.reshape(ops.sub(flat, along), batch, length, d);
  }
}
