package refusallens.refusal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogitScope;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;

/**
 * Eager runs of many prompts in left-padded batches, handing each batch's captured {@code resid_post} and
 * last-position logits to a consumer, so that callers accumulate what they need instead of holding every
 * activation of every prompt.
 */
final class PromptRuns {
  private PromptRuns() {}

  /** One batch: the prompts' indices in the input list, the batch, and the forward result. */
  record Batch(int[] indices, TokenBatch tokens, ForwardResult result) {
    /** resid_post of batch row {@code b} at {@code layer}, real tokens only: [len, d] (a copy, not a view). */
    INDArray resid(int layer, int b) {
      INDArray all = result.activation(HookName.residPost(layer)); // [B, S, d]
      int pad = tokens.padLeft(b);
      return all.get(NDArrayIndex.point(b), NDArrayIndex.interval(pad, tokens.maxLength()), NDArrayIndex.all()).dup('c');
    }

    /** Last-position logits [B, vocab]. */
    INDArray lastLogits() {
      return result.logits();
    }
  }

  /** Consumes one batch. */
  interface Consumer {
    void accept(Batch batch);
  }

  /**
   * Runs {@code prompts} in batches of {@code batchSize}, capturing resid_post at {@code layers} with
   * {@code hooks} active; last-position logits when {@code logits}.
   */
  static void forEachBatch(
      Transformer model,
      List<int[]> prompts,
      Set<Integer> layers,
      Hooks<INDArray> hooks,
      boolean logits,
      int batchSize,
      Progress progress,
      Consumer consumer) {
    Set<HookName> capture = new TreeSet<>();
    layers.forEach(l -> capture.add(HookName.residPost(l)));
    LogitScope scope = logits ? LogitScope.LAST : LogitScope.NONE;
    for (int start = 0; start < prompts.size(); start += batchSize) {
      int end = Math.min(prompts.size(), start + batchSize);
      List<int[]> rows = new ArrayList<>(prompts.subList(start, end));
      int[] idx = new int[end - start];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = start + i;
      }
      TokenBatch tb = new TokenBatch(rows);
      ForwardResult r = model.forward(tb, new ForwardRequest(capture, hooks, scope));
      consumer.accept(new Batch(idx, tb, r));
      progress.step(idx.length);
    }
  }

  /** Last-position logits [P, vocab] of every prompt with {@code hooks} active. */
  static INDArray lastLogits(
      Transformer model, List<int[]> prompts, Hooks<INDArray> hooks, int batchSize, Progress progress) {
    INDArray out = org.nd4j.linalg.factory.Nd4j.create(
        org.nd4j.linalg.api.buffer.DataType.FLOAT, prompts.size(), model.config().shape().vocabSize());
    forEachBatch(model, prompts, Set.of(), hooks, true, batchSize, progress, b -> {
      for (int i = 0; i < b.indices().length; i++) {
        out.putRow(b.indices()[i], b.lastLogits().getRow(i));
      }
    });
    return out;
  }
}
