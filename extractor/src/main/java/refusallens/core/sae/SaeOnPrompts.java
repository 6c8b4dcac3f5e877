package refusallens.core.sae;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.chat.ChatMessage;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.tokenizer.Tokenizer;

/**
 * An SAE measured on the residual stream of given prompts (each rendered as one user turn with the generation
 * prompt; the BOS position left out, whose norm dwarfs the rest): mean L0 per token, fraction of variance
 * unexplained and relative reconstruction error (sum |x - recon|^2 / sum |x|^2).
 */
@JsonPropertyOrder({"prompts", "tokens", "l0", "fvu", "relativeError"})
public record SaeOnPrompts(int prompts, long tokens, double l0, double fvu, double relativeError) {

  /** Runs {@code model} on every prompt and measures {@code sae} at its hook. */
  public static SaeOnPrompts measure(Transformer model, Tokenizer tokenizer, Sae sae, List<String> prompts) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to measure the SAE on");
    }
    int d = model.config().shape().dModel();
    if (sae.dIn() != d || sae.layer() >= model.config().shape().numLayers()) {
      throw new IllegalArgumentException("the SAE at " + sae.hookName() + " (d_in " + sae.dIn() + ") does not fit the model ("
          + model.config().shape().numLayers() + " layers, d_model " + d + "): pass the SAE's own --model");
    }
    long tokens = 0;
    double active = 0;
    double sse = 0;
    double sumSq = 0;
    double[] sum = new double[d];
    for (String p : prompts) {
      int[] ids = tokenizer.encodeChat(List.of(ChatMessage.user(p)), true);
      if (ids.length < 2) {
        continue;
      }
      INDArray resid = model.forward(TokenBatch.of(ids), ForwardRequest.captureOnly(Set.of(sae.hook())))
          .activation(sae.hook()).reshape(ids.length, d);
      INDArray x = resid.get(NDArrayIndex.interval(1, ids.length), NDArrayIndex.all()).castTo(DataType.FLOAT).dup();
      INDArray acts = sae.encode(x);
      INDArray err = sae.decode(acts).subi(x);
      active += acts.gt(0).castTo(DataType.DOUBLE).sumNumber().doubleValue();
      sse += err.mul(err).sumNumber().doubleValue();
      sumSq += x.mul(x).sumNumber().doubleValue();
      double[] colSums = x.sum(0).castTo(DataType.DOUBLE).toDoubleVector();
      for (int i = 0; i < d; i++) {
        sum[i] += colSums[i];
      }
      tokens += x.size(0);
    }
    if (tokens == 0) {
      throw new IllegalArgumentException("the prompts gave no tokens past BOS");
    }
    double meanSq = 0; // |mean|^2 * tokens: sum |x - mean|^2 = sum |x|^2 - tokens |mean|^2
    for (double s : sum) {
      meanSq += s * s / tokens;
    }
    return new SaeOnPrompts(prompts.size(), tokens, active / tokens, sse / (sumSq - meanSq), sse / sumSq);
  }
}
