package refusallens.core.model.arch.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import refusallens.core.model.arch.Attention;
import refusallens.core.model.arch.AttentionContext;
import refusallens.core.model.arch.DecoderShape;
import refusallens.core.model.arch.GatedMlp;
import refusallens.core.model.arch.RmsNorm;
import refusallens.core.model.ops.TensorOps;
import refusallens.core.model.arch.TransformerDefinition;
import refusallens.core.model.weights.WeightSpec;

/** Llama: pre-norm blocks with RMSNorm, GQA attention with (Llama-3-scaled) RoPE, SiLU-gated MLP. */
public final class LlamaDefinition implements TransformerDefinition {
  static final String EMBED = WeightSpec.EMBED;
  static final String FINAL_NORM = WeightSpec.FINAL_NORM;
  static final String LM_HEAD = WeightSpec.LM_HEAD;

  private final LlamaConfig config;
  private final Attention.Spec attention;

  public LlamaDefinition(LlamaConfig config) {
    this.config = config;
    DecoderShape shape = config.shape();
    attention =
        new Attention.Spec(
            shape.numHeads(), shape.numKvHeads(), shape.headDim(), 1.0 / Math.sqrt(shape.headDim()),
            OptionalDouble.empty(), OptionalInt.empty());
  }

  @Override
  public LlamaConfig config() {
    return config;
  }

  @Override
  public OptionalInt slidingWindow(int layer) {
    return OptionalInt.empty();
  }

  static String layerPrefix(int layer) {
    return "model.layers." + layer + ".";
  }

  @Override
  public List<WeightSpec> weightSpecs() {
    return WeightSpec.hfDecoder(config.shape(), List.of("input_layernorm", "post_attention_layernorm"));
  }

  @Override
  public <T> T embed(TensorOps<T> ops, int[] ids) {
    // [N, d] rows of the embedding (no scaling in Llama)
    return ops.gatherRows(ops.weight(EMBED), ids);
  }

  @Override
  public <T> T block(TensorOps<T> ops, int layer, T resid, AttentionContext<T> ctx) {
    String p = layerPrefix(layer);
    double eps = config.shape().rmsNormEps();
    // attention sub-block: resid + attn(norm(resid)) [N, d]
    T h = RmsNorm.apply(ops, resid, ops.weight(p + "input_layernorm.weight"), eps, 0);
    // from here on, the query slots only (every slot unless the context asks for the last ones)
    resid = ops.add(ctx.queryRows(ops, resid),
        Attention.apply(ops, h, Attention.Weights.hf(p + "self_attn."), attention, ctx, layer));
    // MLP sub-block: resid + mlp(norm(resid)) [N, d]
    h = RmsNorm.apply(ops, resid, ops.weight(p + "post_attention_layernorm.weight"), eps, 0);
    return ops.add(resid, GatedMlp.apply(ops, h, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight",
        p + "mlp.down_proj.weight", config.shape().hiddenActivation()));
  }

  @Override
  public <T> T unembed(TensorOps<T> ops, T resid, int[] tokens) {
    // final norm [N, d] -> lm_head (or tied embedding) [N, vocab]
    T normed = RmsNorm.apply(ops, resid, ops.weight(FINAL_NORM), config.shape().rmsNormEps(), 0);
    T w = ops.weight(config.shape().tieWordEmbeddings() ? EMBED : LM_HEAD);
    return ops.linear(normed, tokens == null ? w : ops.gatherRows(w, tokens));
  }
}
