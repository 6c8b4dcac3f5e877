package refusallens.core.intervention;

import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.Hook;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.ops.TensorOps;

/**
 * Activation addition along a direction (the induction side of activation steering, Arditi et al. 2024):
 * x -> x + alpha r with r the unit direction, at every position, as one hook for the eager and the SameDiff
 * path alike.
 */
public final class DirectionAddition {
  private final UnitDirection direction;
  private final double alpha;

  private DirectionAddition(UnitDirection direction, double alpha) {
    this.direction = direction;
    this.alpha = alpha;
  }

  /** Adds {@code alpha} times the unit vector of {@code direction} [d] (any non-zero length). */
  public static DirectionAddition of(INDArray direction, double alpha) {
    if (!Double.isFinite(alpha)) {
      throw new IllegalArgumentException("the steering coefficient alpha must be finite, got " + alpha);
    }
    return new DirectionAddition(UnitDirection.of(direction), alpha);
  }

  /** The unit direction [d] (a copy). */
  public INDArray unit() {
    return direction.unit();
  }

  /** The coefficient of the unit direction added. */
  public double alpha() {
    return alpha;
  }

  /** x [..., d] plus alpha r at every row (a new array). */
  public INDArray apply(INDArray x) {
    long[] shape = x.shape();
    direction.requireWidth(shape[shape.length - 1]);
    int d = direction.dModel();
    INDArray flat = x.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(x.length() / d, d); // [N, d]
    return flat.add(direction.row().mul(alpha)).reshape(shape);
  }

  /** The hook that adds alpha r at every position of the chunk it sees ([B, S, d]). */
  public <T> Hook<T> hook() {
    return (act, name, ctx) -> add(ctx.ops(), act, ctx.batch(), ctx.chunkLength());
  }

  /**
   * Hooks adding alpha r to {@code hook_resid_post} of every layer, so the stream carries the addition once per
   * layer (by the last layer, numLayers times alpha along r on top of what the layers themselves write).
   */
  public <T> Hooks<T> everyLayer(int numLayers) {
    Hooks<T> h = Hooks.none();
    for (int layer = 0; layer < numLayers; layer++) {
      h = h.with(HookName.residPost(layer), hook());
    }
    return h;
  }

  /**
   * The hook adding alpha r once, at {@code hook_resid_post} of {@code layer} (the layer the direction was read
   * at), as Arditi et al. induce refusal; later layers see it through the residual stream.
   */
  public <T> Hooks<T> atLayer(int layer) {
    return Hooks.<T>none().with(HookName.residPost(layer), hook());
  }

  private <T> T add(TensorOps<T> ops, T act, int batch, int length) {
    int d = direction.dModel();
    T flat = ops.reshape(act, (long) batch * length, d); // [N, d]
    T shifted = ops.add(flat, ops.constant(direction.row().mul(alpha))); // [N, d] + [1, d]
    return ops.reshape(shifted, batch, length, d);
  }
}
