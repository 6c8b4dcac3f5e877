package refusallens.core.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.arch.ModelConfig;
import refusallens.core.model.ops.EagerOps;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.model.ops.PlainJavaOps;
import refusallens.core.model.ops.TensorOps;
import refusallens.core.model.weights.WeightStore;

/**
 * How a model's eager passes run, decided once when the model is opened (see {@link Transformer.Backend}): the
 * tensor ops, how the caller's INDArray hooks reach them, and the conversions at the INDArray boundary of the
 * public API. Forward passes and generation both go through the model's one plan, so they run on the same
 * backend and a hooked pass and a plain one agree bit for bit where the hooks change nothing.
 *
 * @param <T> the tensor type of the passes
 */
abstract sealed class EagerPlan<T> permits EagerPlan.Nd4j, EagerPlan.PlainJava {
  final WeightStore weights;

  EagerPlan(WeightStore weights) {
    this.weights = weights;
  }

  /** The plan {@code backend} means for a model of {@code config}: AUTO is resolved here, once. */
  static EagerPlan<?> of(Transformer.Backend backend, ModelConfig config, WeightStore weights,
      PlainJavaOps.Weights floats) {
    boolean plainJava = switch (backend) {
      case PLAIN_JAVA -> true;
      case ND4J -> false;
      case AUTO -> Transformer.isSmall(config);
    };
    return plainJava ? new PlainJava(weights, floats) : new Nd4j(weights);
  }

  /** Fresh ops for one call (ops may keep per-call state, such as EagerOps' allocation count). */
  abstract TensorOps<T> ops();

  /** The caller's hooks as hooks of this plan's tensor type. */
  abstract Hooks<T> hooks(Hooks<INDArray> hooks);

  /** A result as a FLOAT ND4J array (the public API's type). */
  abstract INDArray toNd4j(T x);

  /** A result's values, row-major (read only). */
  abstract float[] values(T x);

  /** ND4J ops ({@link EagerOps}): the hooks run as they are. */
  static final class Nd4j extends EagerPlan<INDArray> {
    Nd4j(WeightStore weights) {
      super(weights);
    }

    @Override
    EagerOps ops() {
      return new EagerOps(weights);
    }

    @Override
    Hooks<INDArray> hooks(Hooks<INDArray> hooks) {
      return hooks;
    }

    @Override
    INDArray toNd4j(INDArray x) {
      return x;
    }

    @Override
    float[] values(INDArray x) {
      return EagerOps.contiguous(x).data().asFloat();
    }
  }

  /**
   * Plain-Java ops ({@link PlainJavaOps}): an {@link EagerHook} runs its plain-Java implementation; any other
   * hook sees an INDArray copy of the activation (and {@link EagerOps} as its context's ops), and what it
   * returns (or its input, edited in place) is copied back.
   */
  static final class PlainJava extends EagerPlan<FloatTensor> {
    private final PlainJavaOps.Weights floats;

    PlainJava(WeightStore weights, PlainJavaOps.Weights floats) {
      super(weights);
      this.floats = floats;
    }

    @Override
    PlainJavaOps ops() {
      return new PlainJavaOps(floats);
    }

    @Override
    Hooks<FloatTensor> hooks(Hooks<INDArray> hooks) {
      Hooks<FloatTensor> out = Hooks.none();
      for (HookName name : hooks.names()) {
        for (Hook<INDArray> hook : hooks.at(name)) {
          out = out.with(name, hook instanceof EagerHook both ? both.plainJava() : copying(hook));
        }
      }
      return out;
    }

    private Hook<FloatTensor> copying(Hook<INDArray> hook) {
      return (x, at, ctx) -> {
        HookContext<INDArray> nd = new HookContext<>(new EagerOps(weights), ctx.batch(), ctx.chunkStart(),
            ctx.chunkLength(), ctx.padLeft(), ctx.promptEnd());
        INDArray in = x.toNd4j();
        INDArray replaced = hook.apply(in, at, nd);
        return FloatTensor.of(replaced == null ? in : replaced); // an observer may still have edited in place
      };
    }

    @Override
    INDArray toNd4j(FloatTensor x) {
      return x.toNd4j();
    }

    @Override
    float[] values(FloatTensor x) {
      return x.data();
    }
  }
}
