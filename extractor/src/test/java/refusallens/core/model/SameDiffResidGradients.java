package refusallens.core.model;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.model.arch.ModelConfig;
import refusallens.core.model.ops.SameDiffOps;

/**
 * The test oracle for {@link ResidGradients}: the whole model's definition built as one SameDiff graph (weights as
 * constants) and differentiated. It holds the weights a second time, so it serves tiny fixtures only.
 */
final class SameDiffResidGradients {
  /** SameDiff prints one line per differentiated op on stdout; stdout is redirected while it builds. */
  private static final Object STDOUT_LOCK = new Object();

  private SameDiffResidGradients() {}

  /** Computes the metric and d metric / d resid_post for every layer; {@code hooks} act in the graph. */
  static ResidGradients.Result compute(Transformer model, TokenBatch batch, LogProbMetric metric, Hooks<SDVariable> hooks) {
    ModelConfig c = model.config();
    int b = batch.size();
    int s = batch.maxLength();
    int layers = c.shape().numLayers();
    for (LogProbMetric.Term t : metric.terms()) {
      if (t.row() >= b || t.position() >= batch.row(t.row()).length || t.token() >= c.shape().vocabSize()) {
        throw new IllegalArgumentException("metric term " + t + " is outside the batch or the vocabulary");
      }
    }
    SameDiff sd = SameDiff.create();
    SameDiffOps ops = new SameDiffOps(sd, model.weights(), false);

    // SameDiff differentiates only towards trainable variables: add a zero variable to the embeddings
    SDVariable anchor = ops.variable("grad_anchor", Nd4j.zeros(DataType.FLOAT, 1));
    Hooks<SDVariable> all = Hooks.<SDVariable>of(HookName.residPre(0), (x, n, ctx) -> ops.add(x, anchor)).with(hooks);

    Set<HookName> capture = new TreeSet<>();
    for (int layer = 0; layer < layers; layer++) {
      capture.add(HookName.residPost(layer));
    }
    Map<HookName, SDVariable> captured = new HashMap<>();
    Transformer.Chunk chunk = Transformer.Chunk.prompt(batch, model.padId());
    SDVariable finalResid =
        model.pass(ops, chunk, all, capture, captured, LogitScope.NONE, KvCache.none(), false).finalResid(); // [N, d]

    // select the metric's rows with a one-hot product (slicing misroutes gradients): [K, N] x [N, d]
    List<LogProbMetric.Term> terms = metric.terms();
    int k = terms.size();
    long n = (long) b * s;
    INDArray select = Nd4j.zeros(DataType.FLOAT, k, n);
    INDArray weights = Nd4j.zeros(DataType.FLOAT, k, c.shape().vocabSize());
    for (int i = 0; i < k; i++) {
      LogProbMetric.Term t = terms.get(i);
      int slot = batch.padLeft(t.row()) + t.position();
      select.putScalar(i, (long) t.row() * s + slot, 1f);
      weights.putScalar(i, t.token(), (float) t.coefficient());
    }
    SDVariable picked = ops.matmul(ops.constant(select), finalResid, false); // [K, d]
    SDVariable logProbs = ops.logSoftmax(model.definition().unembed(ops, picked), 1); // [K, vocab]
    SDVariable value = ops.sumAll(ops.mul(logProbs, ops.constant(weights))).rename("metric");
    value.markAsLoss();

    List<String> gradNames = new ArrayList<>();
    for (int layer = 0; layer < layers; layer++) {
      gradNames.add(captured.get(HookName.residPost(layer)).name());
    }
    OutAndGrad result;
    synchronized (STDOUT_LOCK) {
      PrintStream stdout = System.out;
      System.setOut(System.err);
      try {
        result = sd.calculateGradientsAndOutputs(Map.of(), List.of(value.name()), gradNames);
      } finally {
        System.setOut(stdout);
      }
    }
    INDArray grads = Nd4j.zeros(DataType.FLOAT, layers, b, s, c.shape().dModel());
    for (int layer = 0; layer < layers; layer++) {
      INDArray g = result.getGradients().get(gradNames.get(layer));
      grads.get(org.nd4j.linalg.indexing.NDArrayIndex.point(layer)).assign(g.reshape(b, s, c.shape().dModel()));
    }
    double metricValue = result.getOutputs().get(value.name()).getDouble(0);
    return new ResidGradients.Result(metricValue, grads);
  }
}
