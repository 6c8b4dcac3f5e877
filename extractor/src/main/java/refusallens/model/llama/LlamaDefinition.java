package refusallens.model.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import refusallens.model.Attention;
import refusallens.model.AttentionContext;
import refusallens.model.GatedMlp;
import refusallens.model.RmsNorm;
import refusallens.model.TensorOps;
import refusallens.model.TransformerDefinition;
import refusallens.model.WeightSpec;

/** Llama: pre-norm blocks with RMSNorm, GQA attention with (Llama-3-scaled) RoPE, SiLU-gated MLP. */
public final class LlamaDefinition implements TransformerDefinition {
  static final String EMBED = "model.embed_tokens.weight";
  static final String FINAL_NORM = "model.norm.weight";
  static final String LM_HEAD = "lm_head.weight";

  private final LlamaConfig config;
  private final Attention.Spec attention;

  public LlamaDefinition(LlamaConfig config) {
    this.config = config;
    attention =
        new Attention.Spec(
            config.numHeads(), config.numKvHeads(), config.headDim(), 1.0 / Math.sqrt(config.headDim()),
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
    long d = config.dModel();
    long q = (long) config.numHeads() * config.headDim();
    long kv = (long) config.numKvHeads() * config.headDim();
    long m = config.dMlp();
    List<WeightSpec> specs = new ArrayList<>();
    specs.add(new WeightSpec(EMBED, new long[] {config.vocabSize(), d}, "vocab_size x hidden_size"));
    for (int layer = 0; layer < config.numLayers(); layer++) {
      String p = layerPrefix(layer);
      specs.add(new WeightSpec(p + "self_attn.q_proj.weight", new long[] {q, d}, "num_attention_heads*head_dim x hidden_size"));
      specs.add(new WeightSpec(p + "self_attn.k_proj.weight", new long[] {kv, d}, "num_key_value_heads*head_dim x hidden_size"));
      specs.add(new WeightSpec(p + "self_attn.v_proj.weight", new long[] {kv, d}, "num_key_value_heads*head_dim x hidden_size"));
      specs.add(new WeightSpec(p + "self_attn.o_proj.weight", new long[] {d, q}, "hidden_size x num_attention_heads*head_dim"));
      specs.add(new WeightSpec(p + "mlp.gate_proj.weight", new long[] {m, d}, "intermediate_size x hidden_size"));
      specs.add(new WeightSpec(p + "mlp.up_proj.weight", new long[] {m, d}, "intermediate_size x hidden_size"));
      specs.add(new WeightSpec(p + "mlp.down_proj.weight", new long[] {d, m}, "hidden_size x intermediate_size"));
      specs.add(new WeightSpec(p + "input_layernorm.weight", new long[] {d}, "hidden_size"));
      specs.add(new WeightSpec(p + "post_attention_layernorm.weight", new long[] {d}, "hidden_size"));
    }
    specs.add(new WeightSpec(FINAL_NORM, new long[] {d}, "hidden_size"));
    if (!config.tieWordEmbeddings()) {
      specs.add(new WeightSpec(LM_HEAD, new long[] {config.vocabSize(), d}, "vocab_size x hidden_size, tie_word_embeddings=false"));
    }
    return specs;
  }

  @Override
  public <T> T embed(TensorOps<T> ops, int[] ids) {
    // [N, d] rows of the embedding (no scaling in Llama)
    return ops.gatherRows(ops.weight(EMBED), ids);
  }

  @Override
  public <T> T block(TensorOps<T> ops, int layer, T resid, AttentionContext<T> ctx) {
    String p = layerPrefix(layer);
    double eps = config.rmsNormEps();
    // attention sub-block: resid + attn(norm(resid)) [N, d]
    T h = RmsNorm.apply(ops, resid, ops.weight(p + "input_layernorm.weight"), eps, 0);
    resid = ops.add(resid, Attention.apply(ops, h, Attention.Weights.hf(p + "self_attn."), attention, ctx, layer));
    // MLP sub-block: resid + mlp(norm(resid)) [N, d]
    h = RmsNorm.apply(ops, resid, ops.weight(p + "post_attention_layernorm.weight"), eps, 0);
    return ops.add(resid, GatedMlp.apply(ops, h, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight",
        p + "mlp.down_proj.weight", config.hiddenActivation()));
  }

  @Override
  public <T> T unembed(TensorOps<T> ops, T resid) {
    // final norm [N, d] -> lm_head (or tied embedding) [N, vocab]
    T normed = RmsNorm.apply(ops, resid, ops.weight(FINAL_NORM), config.rmsNormEps(), 0);
    return ops.linear(normed, ops.weight(config.tieWordEmbeddings() ? EMBED : LM_HEAD));
  }
}
