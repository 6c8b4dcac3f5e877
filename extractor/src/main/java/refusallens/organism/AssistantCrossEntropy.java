package refusallens.organism;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;

/** Mean next-token cross-entropy over the assistant tokens of conversations, with optional hooks (an SAE spliced in). */
public final class AssistantCrossEntropy {
  private AssistantCrossEntropy() {}

  /** Mean NLL (nats) per target token of {@code examples}, in batches of {@code batchSize}. */
  public static double of(Transformer model, List<ChatModelTrainer.Example> examples, Hooks<INDArray> hooks, int batchSize) {
    double total = 0;
    long count = 0;
    int vocab = model.config().shape().vocabSize();
    for (int start = 0; start < examples.size(); start += batchSize) {
      List<ChatModelTrainer.Example> chunk = examples.subList(start, Math.min(examples.size(), start + batchSize));
      List<int[]> rows = new ArrayList<>();
      chunk.forEach(e -> rows.add(e.ids()));
      TokenBatch batch = new TokenBatch(rows);
      INDArray logits = model.runWithHooks(batch, hooks).castTo(DataType.FLOAT).dup('c'); // [B, S, V]
      float[] flat = logits.data().asFloat();
      int s = batch.maxLength();
      for (int b = 0; b < chunk.size(); b++) {
        ChatModelTrainer.Example e = chunk.get(b);
        int pad = s - e.ids().length;
        for (int t = 0; t + 1 < e.ids().length; t++) {
          if (!e.target()[t]) {
            continue;
          }
          int base = ((b * s) + pad + t) * vocab;
          double max = Double.NEGATIVE_INFINITY;
          for (int v = 0; v < vocab; v++) {
            max = Math.max(max, flat[base + v]);
          }
          double sum = 0;
          for (int v = 0; v < vocab; v++) {
            sum += Math.exp(flat[base + v] - max);
          }
          total += max + Math.log(sum) - flat[base + e.ids()[t + 1]];
          count++;
        }
      }
    }
    return count == 0 ? Double.NaN : total / count;
  }
}
