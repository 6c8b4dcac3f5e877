package refusallens.core.model.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.model.weights.WeightStore;

/**
 * {@link TensorOps} that compute eagerly ({@link EagerOps}) and record each op on a tape, then run reverse-mode
 * differentiation towards activations only: gradients of a scalar with respect to the tensors marked by
 * {@link #watch}. Weights enter by name and are never differentiated, copied or kept: a weight is read from
 * the {@link WeightStore} again when its op's backward needs it, so with streamed residency each layer's weights
 * are widened, used and dropped in the backward pass as in the forward one. What the tape holds is the
 * activations of one pass (released op by op as the backward pass goes down).
 */
public final class TapeOps implements TensorOps<TapeOps.Var> {
  private final EagerOps eager;
  private final List<Node> tape = new ArrayList<>();
  private boolean differentiated;

  public TapeOps(WeightStore weights) {
    this.eager = new EagerOps(weights);
  }

  /** A tensor on the tape: its value, whether a gradient flows to it, and (after {@link #backward}) its gradient. */
  public static final class Var {
    private INDArray value;
    private final String weightName;
    private final boolean requiresGrad;
    private boolean keepGrad;
    private INDArray grad;
    private final long[] shape;

    private Var(INDArray value, String weightName, boolean requiresGrad) {
      this.value = value;
      this.weightName = weightName;
      this.requiresGrad = requiresGrad;
      this.shape = value == null ? null : value.shape();
    }

    /** The gradient of the differentiated scalar w.r.t. this tensor (zeros where none flowed); watched tensors only. */
    public INDArray grad() {
      if (!keepGrad) {
        throw new IllegalStateException("only watched tensors keep their gradient");
      }
      return grad != null ? grad : Nd4j.zeros(DataType.FLOAT, shape);
    }

    public long[] shape() {
      return shape.clone();
    }
  }

  /** One recorded op: its output, inputs and how a gradient of the output maps to gradients of the inputs. */
  private record Node(Var out, Var[] in, Backward backward) {}

  @FunctionalInterface
  private interface Backward {
    /** Gradients of the inputs (null where an input needs none) given the output's gradient {@code dy}. */
    INDArray[] apply(INDArray dy);
  }

  /** An identity that starts a gradient path: {@link #backward} keeps the gradient w.r.t. the result. */
  public Var watch(Var x) {
    Var out = record(v(x), dy -> new INDArray[] {dy}, new Var[] {x}, true);
    out.keepGrad = true;
    return out;
  }

  /**
   * Back-propagates d scalar / d scalar = 1 from {@code scalar} down the tape; afterwards every watched tensor's
   * {@link Var#grad} holds its gradient. Each op's activations are released once its backward has run, so the
   * tape is used once.
   */
  public void backward(Var scalar) {
    if (differentiated) {
      throw new IllegalStateException("the tape was already differentiated");
    }
    if (scalar.shape.length > 0 && Arrays.stream(scalar.shape).reduce(1, (a, b) -> a * b) != 1) {
      throw new IllegalArgumentException("backward needs a scalar, got shape " + Arrays.toString(scalar.shape));
    }
    differentiated = true;
    scalar.grad = Nd4j.ones(DataType.FLOAT, scalar.shape);
    long sinceRelease = 0;
    for (int i = tape.size() - 1; i >= 0; i--) {
      Node node = tape.get(i);
      tape.set(i, null);
      Var out = node.out();
      if (out.grad != null) {
        INDArray[] grads = node.backward().apply(out.grad);
        for (int j = 0; j < node.in().length; j++) {
          Var in = node.in()[j];
          if (in.requiresGrad && grads[j] != null) {
            sinceRelease += grads[j].length() * 4;
            INDArray g = reduceTo(grads[j], in.shape);
            in.grad = in.grad == null ? g : in.grad.add(g); // never in place: g may be shared with another input
          }
        }
      }
      out.value = null;
      if (!out.keepGrad) {
        out.grad = null;
      }
      if (sinceRelease > EagerOps.RELEASE_EVERY_BYTES) {
        // ND4J frees off-heap arrays when their Java objects are collected: released activations and spent
        // gradients would otherwise pile up through the whole backward pass
        sinceRelease = 0;
        System.gc();
      }
      eager.releasePoint(); // weights widened again by a streamed store
    }
    tape.clear();
  }

  private Var record(INDArray value, Backward backward, Var[] in, boolean forceGrad) {
    boolean grad = forceGrad;
    for (Var v : in) {
      grad |= v.requiresGrad;
    }
    Var out = new Var(value, null, grad);
    if (grad) {
      tape.add(new Node(out, in, backward));
    }
    return out;
  }

  private Var op(INDArray value, Backward backward, Var... in) {
    return record(value, backward, in, false);
  }

  /** The value of x; a weight is read from the store (widened again when streamed). */
  private INDArray v(Var x) {
    if (x.weightName != null) {
      return eager.weight(x.weightName);
    }
    if (x.value == null) {
      throw new IllegalStateException("a tensor's value was released by backward");
    }
    return x.value;
  }

  /** Sums a broadcast gradient down to {@code shape} (numpy broadcasting in reverse). */
  static INDArray reduceTo(INDArray g, long[] shape) {
    long[] gs = g.shape();
    if (Arrays.equals(gs, shape)) {
      return EagerOps.contiguous(g); // a permuted view is copied once here, not by each consumer
    }
    int lead = gs.length - shape.length;
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < gs.length; i++) {
      long target = i < lead ? 1 : shape[i - lead];
      if (target == 1 && gs[i] != 1) {
        dims.add(i);
      }
    }
    INDArray r = dims.isEmpty() ? g : g.sum(true, dims.stream().mapToInt(Integer::intValue).toArray());
    return EagerOps.contiguous(r).reshape('c', shape);
  }

  /** dy (keep-dims reduced shape) broadcast back to {@code shape}. */
  private static INDArray expand(INDArray dy, long[] shape) {
    return Nd4j.zeros(DataType.FLOAT, shape).addi(dy);
  }

  @Override
  public Var weight(String name) {
    return new Var(null, name, false);
  }

  @Override
  public Var constant(INDArray value) {
    return new Var(value, null, false);
  }

  @Override
  public Var linear(Var x, Var w) {
    INDArray y = eager.linear(v(x), v(w));
    return op(y, dy -> new INDArray[] {
        x.requiresGrad ? Nd4j.matmul(dy, v(w)) : null, // [N, out] x [out, in]
        w.requiresGrad ? Nd4j.matmul(dy, EagerOps.contiguous(v(x)), true, false, false) : null}, x, w);
  }

  @Override
  public Var matmul(Var a, Var b, boolean transposeB) {
    INDArray y = eager.matmul(v(a), v(b), transposeB);
    return op(y, dy -> {
      INDArray av = EagerOps.contiguous(v(a));
      INDArray bv = EagerOps.contiguous(v(b));
      INDArray da = a.requiresGrad ? Nd4j.matmul(dy, bv, false, !transposeB, false) : null;
      INDArray db = null;
      if (b.requiresGrad) {
        db = transposeB ? Nd4j.matmul(dy, av, true, false, false) : Nd4j.matmul(av, dy, true, false, false);
      }
      return new INDArray[] {da, db};
    }, a, b);
  }

  @Override
  public Var add(Var a, Var b) {
    return op(eager.add(v(a), v(b)), dy -> new INDArray[] {dy, dy}, a, b);
  }

  @Override
  public Var sub(Var a, Var b) {
    return op(eager.sub(v(a), v(b)), dy -> new INDArray[] {dy, b.requiresGrad ? dy.neg() : null}, a, b);
  }

  @Override
  public Var mul(Var a, Var b) {
    return op(eager.mul(v(a), v(b)), dy -> new INDArray[] {
        a.requiresGrad ? dy.mul(v(b)) : null, b.requiresGrad ? dy.mul(v(a)) : null}, a, b);
  }

  @Override
  public Var div(Var a, Var b) {
    INDArray y = eager.div(v(a), v(b));
    return op(y, dy -> new INDArray[] {
        a.requiresGrad ? dy.div(v(b)) : null, b.requiresGrad ? dy.mul(y).divi(v(b)).negi() : null}, a, b);
  }

  @Override
  public Var mulScalar(Var a, double s) {
    return op(eager.mulScalar(v(a), s), dy -> new INDArray[] {dy.mul(s)}, a);
  }

  @Override
  public Var addScalar(Var a, double s) {
    return op(eager.addScalar(v(a), s), dy -> new INDArray[] {dy}, a);
  }

  @Override
  public Var tanh(Var x) {
    INDArray y = eager.tanh(v(x));
    return op(y, dy -> new INDArray[] {dy.mul(y.mul(y).rsubi(1))}, x); // 1 - y^2
  }

  @Override
  public Var sigmoid(Var x) {
    INDArray y = eager.sigmoid(v(x));
    return op(y, dy -> new INDArray[] {dy.mul(y).muli(y.rsub(1))}, x); // y (1 - y)
  }

  @Override
  public Var exp(Var x) {
    INDArray y = eager.exp(v(x));
    return op(y, dy -> new INDArray[] {dy.mul(y)}, x);
  }

  @Override
  public Var log(Var x) {
    return op(eager.log(v(x)), dy -> new INDArray[] {dy.div(v(x))}, x);
  }

  @Override
  public Var rsqrt(Var x) {
    INDArray y = eager.rsqrt(v(x));
    return op(y, dy -> new INDArray[] {dy.mul(y).muli(y).muli(y).muli(-0.5)}, x); // -y^3 / 2
  }

  @Override
  public Var square(Var x) {
    return op(eager.square(v(x)), dy -> new INDArray[] {dy.mul(v(x)).muli(2)}, x);
  }

  @Override
  public Var mean(Var x, int dim) {
    long[] shape = x.shape;
    return op(eager.mean(v(x), dim), dy -> new INDArray[] {expand(dy, shape).divi(shape[dim])}, x);
  }

  @Override
  public Var sum(Var x, int dim) {
    long[] shape = x.shape;
    return op(eager.sum(v(x), dim), dy -> new INDArray[] {expand(dy, shape)}, x);
  }

  @Override
  public Var max(Var x, int dim) {
    INDArray y = eager.max(v(x), dim);
    // the gradient goes to the maxima (split between ties, which only the stabilising max of a softmax meets)
    return op(y, dy -> {
      INDArray at = v(x).eq(expand(y, x.shape)).castTo(DataType.FLOAT);
      return new INDArray[] {at.muli(dy).divi(at.sum(true, dim))};
    }, x);
  }

  @Override
  public Var sumAll(Var x) {
    long[] shape = x.shape;
    return op(eager.sumAll(v(x)), dy -> new INDArray[] {Nd4j.zeros(DataType.FLOAT, shape).addi(dy.getDouble(0))}, x);
  }

  @Override
  public Var reshape(Var x, long... shape) {
    long[] from = x.shape;
    return op(eager.reshape(v(x), shape), dy -> new INDArray[] {EagerOps.contiguous(dy).reshape('c', from)}, x);
  }

  @Override
  public Var permute(Var x, int... dims) {
    int[] inverse = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      inverse[dims[i]] = i;
    }
    return op(eager.permute(v(x), dims), dy -> new INDArray[] {dy.permute(inverse)}, x);
  }

  @Override
  public Var gatherRows(Var table, int[] ids) {
    long[] shape = table.shape;
    return op(eager.gatherRows(v(table), ids), dy -> {
      INDArray dt = Nd4j.zeros(DataType.FLOAT, shape);
      INDArray rows = EagerOps.contiguous(dy);
      for (int i = 0; i < ids.length; i++) {
        dt.getRow(ids[i]).addi(rows.getRow(i));
      }
      return new INDArray[] {dt};
    }, table);
  }

  @Override
  public Var concat(int dim, Var a, Var b) {
    long split = a.shape[dim];
    long total = split + b.shape[dim];
    return op(eager.concat(dim, v(a), v(b)), dy -> {
      INDArrayIndexes idx = new INDArrayIndexes(dy.rank(), dim);
      return new INDArray[] {dy.get(idx.range(0, split)).dup(), dy.get(idx.range(split, total)).dup()};
    }, a, b);
  }

  /** Index lists selecting a range along one dimension. */
  private record INDArrayIndexes(int rank, int dim) {
    org.nd4j.linalg.indexing.INDArrayIndex[] range(long from, long to) {
      org.nd4j.linalg.indexing.INDArrayIndex[] out = new org.nd4j.linalg.indexing.INDArrayIndex[rank];
      for (int i = 0; i < rank; i++) {
        out[i] = i == dim ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
      }
      return out;
    }
  }

  @Override
  public Var stopGradient(Var x) {
    return new Var(v(x), null, false);
  }

  @Override
  public INDArray value(Var x) {
    return v(x);
  }

  @Override
  public Optional<String> nonFinite(Var x) {
    return eager.nonFinite(v(x));
  }

  @Override
  public void releasePoint() {
    eager.releasePoint();
  }
}
