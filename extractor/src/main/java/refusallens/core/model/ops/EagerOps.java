package refusallens.core.model.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.core.model.weights.WeightStore;

/** {@link TensorOps} on ND4J arrays, computed immediately: inference, KV-cache generation. */
public final class EagerOps implements TensorOps<INDArray> {
  /**
   * Bytes of intermediates after which {@link #releasePoint} collects garbage: ND4J frees off-heap arrays
   * only when their Java objects are collected, and the tiny Java heap of a forward pass rarely triggers
   * a collection, so without this a large model's intermediates pile up by gigabytes.
   */
  static final long RELEASE_EVERY_BYTES = 1L << 30;

  private final WeightStore weights;
  private long allocatedSinceRelease;

  public EagerOps(WeightStore weights) {
    this.weights = weights;
  }

  private INDArray track(INDArray a) {
    allocatedSinceRelease += a.length() * a.dataType().width();
    return a;
  }

  @Override
  public void releasePoint() {
    if (allocatedSinceRelease > RELEASE_EVERY_BYTES) {
      allocatedSinceRelease = 0;
      System.gc();
    }
  }

  @Override
  public INDArray weight(String name) {
    INDArray w = weights.get(name);
    return weights.widensOnUse() ? track(w) : w;
  }

  @Override
  public java.util.Optional<String> nonFinite(INDArray x) {
    // one reduction over x; the second only on the failure path
    if (!org.nd4j.linalg.indexing.BooleanIndexing.or(x, org.nd4j.linalg.indexing.conditions.Conditions.notFinite())) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        org.nd4j.linalg.indexing.BooleanIndexing.or(x, org.nd4j.linalg.indexing.conditions.Conditions.isNan()) ? "NaN" : "infinity");
  }

  @Override
  public INDArray constant(INDArray value) {
    return value;
  }

  @Override
  public INDArray linear(INDArray x, INDArray w) {
    return track(Nd4j.matmul(contiguous(x), w, false, true, false));
  }

  @Override
  public INDArray matmul(INDArray a, INDArray b, boolean transposeB) {
    return track(Nd4j.matmul(contiguous(a), contiguous(b), false, transposeB, false));
  }

  @Override
  public INDArray add(INDArray a, INDArray b) {
    return track(a.add(b));
  }

  @Override
  public INDArray sub(INDArray a, INDArray b) {
    return track(a.sub(b));
  }

  @Override
  public INDArray mul(INDArray a, INDArray b) {
    return track(a.mul(b));
  }

  @Override
  public INDArray div(INDArray a, INDArray b) {
    return track(a.div(b));
  }

  @Override
  public INDArray mulScalar(INDArray a, double s) {
    return track(a.mul(s));
  }

  @Override
  public INDArray addScalar(INDArray a, double s) {
    return track(a.add(s));
  }

  @Override
  public INDArray tanh(INDArray x) {
    return track(Transforms.tanh(x, true));
  }

  @Override
  public INDArray sigmoid(INDArray x) {
    return track(Transforms.sigmoid(x, true));
  }

  @Override
  public INDArray exp(INDArray x) {
    return track(Transforms.exp(x, true));
  }

  @Override
  public INDArray log(INDArray x) {
    return track(Transforms.log(x, true));
  }

  @Override
  public INDArray rsqrt(INDArray x) {
    return track(Transforms.pow(x, -0.5, true));
  }

  @Override
  public INDArray square(INDArray x) {
    return track(x.mul(x));
  }

  @Override
  public INDArray mean(INDArray x, int dim) {
    return track(x.mean(true, dim));
  }

  @Override
  public INDArray sum(INDArray x, int dim) {
    return track(x.sum(true, dim));
  }

  @Override
  public INDArray max(INDArray x, int dim) {
    return track(x.max(true, dim));
  }

  @Override
  public INDArray sumAll(INDArray x) {
    return Nd4j.scalar(DataType.FLOAT, x.sumNumber().floatValue());
  }

  @Override
  public INDArray reshape(INDArray x, long... shape) {
    return contiguous(x).reshape('c', shape);
  }

  @Override
  public INDArray permute(INDArray x, int... dims) {
    return x.permute(dims);
  }

  @Override
  public INDArray gatherRows(INDArray table, int[] ids) {
    return track(Nd4j.pullRows(table, 1, ids, 'c'));
  }

  @Override
  public INDArray concat(int dim, INDArray a, INDArray b) {
    return track(Nd4j.concat(dim, contiguous(a), contiguous(b)));
  }

  @Override
  public INDArray stopGradient(INDArray x) {
    return x;
  }

  @Override
  public INDArray value(INDArray x) {
    return x;
  }

  // ---- composites of TensorOps, the same ops in the same order, on one fresh array edited in place: each
  // intermediate of the default composition is a new off-heap buffer (allocation, first touch, a collection to
  // free it). On [256, 9216] (the gemma-2-2b MLP of 4 x 64 tokens) the GELU takes 40 ms instead of 85; RMSNorm
  // and softmax showed no gain (their in-place broadcasts are no faster) and keep the default ----

  @Override
  public INDArray geluTanh(INDArray x) {
    INDArray inner = x.mul(x).muli(x).muli(0.044715).addi(x).muli(Math.sqrt(2.0 / Math.PI)); // (x + 0.044715 x^3) c
    INDArray gate = Transforms.tanh(inner, false).addi(1.0); // 1 + tanh(..)
    return track(x.mul(0.5).muli(gate));
  }

  @Override
  public INDArray softcap(INDArray x, double cap) {
    return track(Transforms.tanh(x.mul(1.0 / cap), false).muli(cap));
  }

  /** A c-ordered array with default strides (views from permute are copied). */
  public static INDArray contiguous(INDArray x) {
    if (x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) && !x.isView()) {
      return x;
    }
    return x.dup('c');
  }
}
