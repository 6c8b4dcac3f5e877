package refusallens.eval.clamp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogitScope;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;

/**
 * Coherence as the paper measures it: mean next-token cross-entropy over the completion tokens only (the
 * prompt is context, not scored) of the unclamped model's own greedy completions; and on plain text (no chat
 * template), over every token after the first.
 */
public final class Coherence {
  private Coherence() {}

  /** Mean over completions (with at least one token) of each completion's mean NLL under {@code hooks}; NaN for none. */
  public static double completionCrossEntropy(Transformer model, List<RefusalEvaluation.Judged> completions, Hooks<INDArray> hooks) {
    double sum = 0;
    int n = 0;
    for (RefusalEvaluation.Judged j : completions) {
      double ce = completionCrossEntropy(model, j.promptIds(), j.completionIds(), hooks);
      if (!Double.isNaN(ce)) {
        sum += ce;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Mean NLL of {@code completion}'s tokens given {@code prompt} and the tokens before them; NaN when empty. */
  public static double completionCrossEntropy(Transformer model, int[] prompt, int[] completion, Hooks<INDArray> hooks) {
    if (completion.length == 0) {
      return Double.NaN;
    }
    int[] ids = new int[prompt.length + completion.length];
    System.arraycopy(prompt, 0, ids, 0, prompt.length);
    System.arraycopy(completion, 0, ids, prompt.length, completion.length);
    INDArray logits = model.forward(TokenBatch.of(ids), new ForwardRequest(Set.of(), hooks, LogitScope.ALL)).logits();
    INDArray row = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).castTo(DataType.DOUBLE); // [S, V]
    INDArray logProbs = Transforms.log(Transforms.softmax(row, true), false);
    double nll = 0;
    for (int t = prompt.length - 1; t + 1 < ids.length; t++) {
      nll -= logProbs.getDouble(t, ids[t + 1]);
    }
    return nll / completion.length;
  }

  /**
   * Mean over texts (token ids, e.g. BOS + text; those of at least two tokens) of each text's mean NLL of every
   * token after the first under {@code hooks}; NaN for none.
   */
  public static double textCrossEntropy(Transformer model, List<int[]> texts, Hooks<INDArray> hooks) {
    double sum = 0;
    int n = 0;
    for (int[] ids : texts) {
      if (ids.length < 2) {
        continue;
      }
      sum += completionCrossEntropy(model, java.util.Arrays.copyOfRange(ids, 0, 1),
          java.util.Arrays.copyOfRange(ids, 1, ids.length), hooks);
      n++;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Every completion's own value, in order (for per-prompt reports). */
  public static List<Double> perCompletion(Transformer model, List<RefusalEvaluation.Judged> completions, Hooks<INDArray> hooks) {
    List<Double> out = new ArrayList<>();
    for (RefusalEvaluation.Judged j : completions) {
      out.add(completionCrossEntropy(model, j.promptIds(), j.completionIds(), hooks));
    }
    return out;
  }
}
