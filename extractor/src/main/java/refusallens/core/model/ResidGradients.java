package refusallens.core.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.model.arch.DecoderShape;
import refusallens.core.model.ops.TapeOps;

/**
 * Gradients of a {@link LogProbMetric} with respect to {@code hook_resid_post} of every layer, in one
 * backward pass: the model's definition runs eagerly on {@link TapeOps}, which records the activations and
 * differentiates towards them only. No weight is copied or differentiated, so the memory beyond the weights is
 * one pass's activations (and weights streamed per layer stay streamed).
 */
public final class ResidGradients {
  private ResidGradients() {}

  /**
   * The metric's value and its gradient w.r.t. each layer's resid_post (after any replacing hook):
   * [layers, B, S, d], S the padded length.
   */
  public record Result(double metric, INDArray gradResidPost) {}

  /** Computes the metric and d metric / d resid_post for every layer; {@code hooks} act on the tape. */
  public static Result compute(Transformer model, TokenBatch batch, LogProbMetric metric, Hooks<TapeOps.Var> hooks) {
    DecoderShape shape = model.config().shape();
    int b = batch.size();
    int s = batch.maxLength();
    int d = shape.dModel();
    int layers = shape.numLayers();
    List<LogProbMetric.Term> terms = metric.terms();
    for (LogProbMetric.Term t : terms) {
      if (t.row() >= b || t.position() >= batch.row(t.row()).length || t.token() >= shape.vocabSize()) {
        throw new IllegalArgumentException("metric term " + t + " is outside the batch or the vocabulary");
      }
    }
    TapeOps ops = new TapeOps(model.weights());

    // every layer's resid_post, after the caller's hooks, is where the gradient is read
    Hooks<TapeOps.Var> all = hooks;
    Set<HookName> capture = new TreeSet<>();
    for (int layer = 0; layer < layers; layer++) {
      capture.add(HookName.residPost(layer));
      all = all.with(HookName.residPost(layer), (x, n, ctx) -> ops.watch(x));
    }
    Map<HookName, TapeOps.Var> captured = new HashMap<>();
    Transformer.Chunk chunk = Transformer.Chunk.prompt(batch, model.padId());
    TapeOps.Var finalResid =
        model.pass(ops, chunk, all, capture, captured, LogitScope.NONE, KvCache.none(), false).finalResid(); // [N, d]

    // the metric's distinct slots [K, d] -> log-probs [K, vocab] -> sum of coefficient * log p(token); each slot
    // is unembedded once however many terms read it (a difference of two tokens reads one slot twice), since
    // the unembedding of a few rows against the whole vocabulary is the costliest op of the pass
    Map<Integer, Integer> slotIndex = new java.util.LinkedHashMap<>();
    Map<Integer, Integer> tokenIndex = new java.util.LinkedHashMap<>();
    for (LogProbMetric.Term t : terms) {
      slotIndex.putIfAbsent(slotOf(batch, s, t), slotIndex.size());
      tokenIndex.putIfAbsent(t.token(), tokenIndex.size());
    }
    int k = slotIndex.size();
    int[] rows = slotIndex.keySet().stream().mapToInt(Integer::intValue).toArray();
    double[] coefficientSums = new double[k];
    for (LogProbMetric.Term t : terms) {
      coefficientSums[slotIndex.get(slotOf(batch, s, t))] += t.coefficient();
    }
    // where every slot's coefficients sum to zero (log p(a) - log p(b)), the log-softmax normaliser cancels in
    // value and gradient: the metric is the same sum over the logits of its tokens, so only those columns of the
    // unembedding are computed and differentiated, not the whole vocabulary
    boolean normaliserCancels = java.util.Arrays.stream(coefficientSums).allMatch(x -> x == 0.0);
    int[] tokens = normaliserCancels ? tokenIndex.keySet().stream().mapToInt(Integer::intValue).toArray() : null;
    INDArray coefficients = Nd4j.zeros(DataType.FLOAT, k, normaliserCancels ? tokens.length : shape.vocabSize());
    for (LogProbMetric.Term t : terms) {
      int i = slotIndex.get(slotOf(batch, s, t));
      int j = normaliserCancels ? tokenIndex.get(t.token()) : t.token();
      coefficients.putScalar(i, j, coefficients.getFloat(i, j) + (float) t.coefficient());
    }
    TapeOps.Var logits = model.definition().unembed(ops, ops.gatherRows(finalResid, rows), tokens);
    TapeOps.Var logProbs = normaliserCancels ? logits : ops.logSoftmax(logits, 1);
    TapeOps.Var value = ops.sumAll(ops.mul(logProbs, ops.constant(coefficients)));
    double metricValue = ops.value(value).getDouble(0);
    ops.backward(value);

    INDArray grads = Nd4j.zeros(DataType.FLOAT, layers, b, s, d);
    for (int layer = 0; layer < layers; layer++) {
      grads.get(NDArrayIndex.point(layer)).assign(captured.get(HookName.residPost(layer)).grad().reshape(b, s, d));
    }
    return new Result(metricValue, grads);
  }

  /** The row of a term's slot in the pass's [B * S, d] stream. */
  private static int slotOf(TokenBatch batch, int s, LogProbMetric.Term t) {
    return t.row() * s + batch.padLeft(t.row()) + t.position();
  }
}
