package refusallens.core.model.arch;

import java.util.List;
import java.util.OptionalInt;
import refusallens.core.model.ops.TensorOps;
import refusallens.core.model.weights.WeightSpec;

/**
 * One architecture's maths, written once against {@link TensorOps} so the same definition runs eager
 * inference, KV-cache generation and SameDiff gradients. Activations are [N = batch*chunk, d_model].
 */
public interface TransformerDefinition {
  ModelConfig config();

  /** The checkpoint tensors this architecture reads, with the shapes the config implies. */
  List<WeightSpec> weightSpecs();

  /** Sliding attention window of {@code layer}, empty for global attention. */
  OptionalInt slidingWindow(int layer);

  /** Token ids -> residual stream entering layer 0 (hook_resid_pre of layer 0): [N, d]. */
  <T> T embed(TensorOps<T> ops, int[] ids);

  /** Decoder layer {@code layer}: resid_pre [N, d] -> resid_post [N, d]. */
  <T> T block(TensorOps<T> ops, int layer, T resid, AttentionContext<T> ctx);

  /** Final norm and unembedding (with any final soft-cap): [N, d] -> logits [N, vocab]. */
  default <T> T unembed(TensorOps<T> ops, T resid) {
    return unembed(ops, resid, null);
  }

  /**
   * {@link #unembed(TensorOps, Object)} restricted to the vocabulary entries {@code tokens} (null: all): [N, d]
   * -> logits [N, tokens.length], for a metric that reads a few logits only.
   */
  <T> T unembed(TensorOps<T> ops, T resid, int[] tokens);
}
