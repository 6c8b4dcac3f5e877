package refusallens.core.model.ops;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import refusallens.core.model.weights.WeightStore;

/**
 * {@link TensorOps} that build a SameDiff graph (gradients; training). Weights enter as constants by
 * default, or as trainable variables when {@code trainableWeights} is set.
 */
public final class SameDiffOps implements TensorOps<SDVariable> {
  private final SameDiff sd;
  private final WeightStore weights;
  private final boolean trainableWeights;
  private final Map<String, SDVariable> weightVars = new HashMap<>();
  private final java.util.List<String> idPlaceholders = new java.util.ArrayList<>();
  private boolean idsAsPlaceholders;

  public SameDiffOps(SameDiff sd, WeightStore weights, boolean trainableWeights) {
    this.sd = sd;
    this.weights = weights;
    this.trainableWeights = trainableWeights;
  }

  public SameDiff sameDiff() {
    return sd;
  }

  /**
   * From now on {@link #gatherRows} selects its rows with a one-hot placeholder [ids, rows] (a matrix product,
   * whose gradient SameDiff builds reliably, unlike gather's with fed indices) instead of baking the ids in,
   * so one graph serves every batch of the same shape (training); {@link #idPlaceholders()} names them in order.
   */
  public SameDiffOps idsAsPlaceholders() {
    this.idsAsPlaceholders = true;
    return this;
  }

  /** Names of the id placeholders created by {@link #gatherRows}, in creation order. */
  public java.util.List<String> idPlaceholders() {
    return java.util.List.copyOf(idPlaceholders);
  }

  /** The graph variables created for checkpoint weights so far, by checkpoint name. */
  public Map<String, SDVariable> weightVariables() {
    return Map.copyOf(weightVars);
  }

  @Override
  public SDVariable weight(String name) {
    return weightVars.computeIfAbsent(
        name,
        n -> {
          String varName = "w." + n;
          INDArray value = weights.get(n);
          return trainableWeights ? sd.var(varName, value) : sd.constant(varName, value);
        });
  }

  @Override
  public SDVariable constant(INDArray value) {
    return sd.constant(value);
  }

  /** A trainable variable holding {@code value}: the graph's differentiation anchor. */
  public SDVariable variable(String name, INDArray value) {
    return sd.var(name, value);
  }

  @Override
  public SDVariable linear(SDVariable x, SDVariable w) {
    return sd.mmul(x, w, false, true, false);
  }

  @Override
  public SDVariable matmul(SDVariable a, SDVariable b, boolean transposeB) {
    return sd.mmul(a, b, false, transposeB, false);
  }

  @Override
  public SDVariable add(SDVariable a, SDVariable b) {
    return a.add(b);
  }

  @Override
  public SDVariable sub(SDVariable a, SDVariable b) {
    return a.sub(b);
  }

  @Override
  public SDVariable mul(SDVariable a, SDVariable b) {
    return a.mul(b);
  }

  @Override
  public SDVariable div(SDVariable a, SDVariable b) {
    return a.div(b);
  }

  @Override
  public SDVariable mulScalar(SDVariable a, double s) {
    return a.mul(s);
  }

  @Override
  public SDVariable addScalar(SDVariable a, double s) {
    return a.add(s);
  }

  @Override
  public SDVariable tanh(SDVariable x) {
    return sd.math.tanh(x);
  }

  @Override
  public SDVariable sigmoid(SDVariable x) {
    return sd.nn.sigmoid(x);
  }

  @Override
  public SDVariable exp(SDVariable x) {
    return sd.math.exp(x);
  }

  @Override
  public SDVariable log(SDVariable x) {
    return sd.math.log(x);
  }

  @Override
  public SDVariable rsqrt(SDVariable x) {
    return sd.math.rsqrt(x);
  }

  @Override
  public SDVariable square(SDVariable x) {
    return x.mul(x);
  }

  @Override
  public SDVariable mean(SDVariable x, int dim) {
    return sd.mean(x, true, dim);
  }

  @Override
  public SDVariable sum(SDVariable x, int dim) {
    return sd.sum(x, true, dim);
  }

  @Override
  public SDVariable max(SDVariable x, int dim) {
    return sd.max(x, true, dim);
  }

  @Override
  public SDVariable sumAll(SDVariable x) {
    return x.sum();
  }

  @Override
  public SDVariable reshape(SDVariable x, long... shape) {
    return sd.reshape(x, shape);
  }

  @Override
  public SDVariable permute(SDVariable x, int... dims) {
    return sd.permute(x, dims);
  }

  @Override
  public SDVariable gatherRows(SDVariable table, int[] ids) {
    if (idsAsPlaceholders) {
      long rows = table.getShape()[0];
      SDVariable oneHot = sd.placeHolder("rows_onehot_" + idPlaceholders.size(), DataType.FLOAT, ids.length, rows);
      idPlaceholders.add(oneHot.name());
      return sd.mmul(oneHot, table);
    }
    return sd.gather(table, ids, 0);
  }

  @Override
  public SDVariable concat(int dim, SDVariable a, SDVariable b) {
    return sd.concat(dim, a, b);
  }

  @Override
  public SDVariable stopGradient(SDVariable x) {
    return new StopGradient(sd, x).outputVariable();
  }

  /** Empty: the graph holds no values while it is built (a training loop checks its loss instead). */
  @Override
  public java.util.Optional<String> nonFinite(SDVariable x) {
    return java.util.Optional.empty();
  }

  @Override
  public INDArray value(SDVariable x) {
    return x.eval().castTo(DataType.FLOAT);
  }
}
