package refusallens.core.model.arch.gemma2;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import refusallens.core.model.arch.Attention;
import refusallens.core.model.arch.AttentionContext;
import refusallens.core.model.arch.DecoderShape;
import refusallens.core.model.arch.GatedMlp;
import refusallens.core.model.arch.RmsNorm;
import refusallens.core.model.ops.TensorOps;
import refusallens.core.model.arch.TransformerDefinition;
import refusallens.core.model.weights.WeightSpec;

/**
 * Gemma-2: sqrt(d_model)-scaled embeddings, (1 + w) RMSNorms before and after attention and MLP,
 * attention logit soft-capping with query_pre_attn_scalar, sliding window on alternate layers,
 * tanh-GELU MLP, final logit soft-capping, tied embeddings.
 */
public final class Gemma2Definition implements TransformerDefinition {
  static final String EMBED = WeightSpec.EMBED;
  static final String FINAL_NORM = WeightSpec.FINAL_NORM;
  static final String LM_HEAD = WeightSpec.LM_HEAD;
  private static final double NORM_OFFSET = 1.0; // Gemma scales by (1 + w)

  private final Gemma2Config config;
  private final List<Attention.Spec> attention = new ArrayList<>();
  private final double embedScale;

  public Gemma2Definition(Gemma2Config config) {
    this.config = config;
    DecoderShape shape = config.shape();
    double scaling = 1.0 / Math.sqrt(config.queryPreAttnScalar());
    for (int layer = 0; layer < shape.numLayers(); layer++) {
      attention.add(
          new Attention.Spec(
              shape.numHeads(), shape.numKvHeads(), shape.headDim(), scaling,
              config.attnLogitSoftcapping(), slidingWindow(layer)));
    }
    // HF multiplies by sqrt(d_model) rounded to the hidden dtype (float32 here)
    embedScale = (float) Math.sqrt(shape.dModel());
  }

  @Override
  public Gemma2Config config() {
    return config;
  }

  @Override
  public OptionalInt slidingWindow(int layer) {
    return config.slidingLayers().get(layer) ? OptionalInt.of(config.slidingWindow()) : OptionalInt.empty();
  }

  static String layerPrefix(int layer) {
    return "model.layers." + layer + ".";
  }

  @Override
  public List<WeightSpec> weightSpecs() {
    return WeightSpec.hfDecoder(config.shape(),
        List.of("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm"));
  }

  @Override
  public <T> T embed(TensorOps<T> ops, int[] ids) {
    // [N, d] rows of the embedding, scaled by sqrt(d_model)
    return ops.mulScalar(ops.gatherRows(ops.weight(EMBED), ids), embedScale);
  }

  @Override
  public <T> T block(TensorOps<T> ops, int layer, T resid, AttentionContext<T> ctx) {
    String p = layerPrefix(layer);
    double eps = config.shape().rmsNormEps();
    // attention sub-block, normed before and after: [N, d]
    T h = RmsNorm.apply(ops, resid, ops.weight(p + "input_layernorm.weight"), eps, NORM_OFFSET);
    h = Attention.apply(ops, h, Attention.Weights.hf(p + "self_attn."), attention.get(layer), ctx, layer);
    h = RmsNorm.apply(ops, h, ops.weight(p + "post_attention_layernorm.weight"), eps, NORM_OFFSET);
    resid = ops.add(ctx.queryRows(ops, resid), h); // from here on, the query slots only
    // MLP sub-block, normed before and after: [N, d]
    h = RmsNorm.apply(ops, resid, ops.weight(p + "pre_feedforward_layernorm.weight"), eps, NORM_OFFSET);
    h = GatedMlp.apply(ops, h, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight", p + "mlp.down_proj.weight",
        config.shape().hiddenActivation());
    h = RmsNorm.apply(ops, h, ops.weight(p + "post_feedforward_layernorm.weight"), eps, NORM_OFFSET);
    return ops.add(resid, h);
  }

  @Override
  public <T> T unembed(TensorOps<T> ops, T resid, int[] tokens) {
    // final norm [N, d] -> unembedding (tied by default) [N, vocab] -> soft-cap
    T normed = RmsNorm.apply(ops, resid, ops.weight(FINAL_NORM), config.shape().rmsNormEps(), NORM_OFFSET);
    T w = ops.weight(config.shape().tieWordEmbeddings() ? EMBED : LM_HEAD);
    T logits = ops.linear(normed, tokens == null ? w : ops.gatherRows(w, tokens));
    if (config.finalLogitSoftcapping().isPresent()) {
      logits = ops.softcap(logits, config.finalLogitSoftcapping().getAsDouble());
    }
    return logits;
  }
}
