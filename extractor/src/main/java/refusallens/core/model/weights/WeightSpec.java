package refusallens.core.model.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import refusallens.core.model.arch.DecoderShape;

/**
 * A tensor the architecture needs: checkpoint name, the shape the config implies, and which config
 * keys imply it (for error messages).
 */
public record WeightSpec(String name, long[] shape, String impliedBy) {
  public WeightSpec {
    Objects.requireNonNull(name, "name");
    shape = shape.clone();
    Objects.requireNonNull(impliedBy, "impliedBy");
  }

  /** Hugging Face's decoder-only tensor names, shared by the Gemma-2 and Llama checkpoints. */
  public static final String EMBED = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";

  /**
   * The tensors of a Hugging Face decoder-only checkpoint (embedding, per layer q/k/v/o and gated MLP
   * projections plus {@code layerNorms}, final norm, lm_head unless tied); the architectures differ only
   * in their per-layer norms.
   */
  public static List<WeightSpec> hfDecoder(DecoderShape decoder, List<String> layerNorms) {
    long d = decoder.dModel();
    long q = (long) decoder.numHeads() * decoder.headDim();
    long kv = (long) decoder.numKvHeads() * decoder.headDim();
    long m = decoder.dMlp();
    List<WeightSpec> specs = new ArrayList<>();
    specs.add(new WeightSpec(EMBED, new long[] {decoder.vocabSize(), d}, "vocab_size x hidden_size"));
    for (int layer = 0; layer < decoder.numLayers(); layer++) {
      String p = "model.layers." + layer + ".";
      String heads = "num_attention_heads*head_dim x hidden_size";
      String kvHeads = "num_key_value_heads*head_dim x hidden_size";
      specs.add(new WeightSpec(p + "self_attn.q_proj.weight", new long[] {q, d}, heads));
      specs.add(new WeightSpec(p + "self_attn.k_proj.weight", new long[] {kv, d}, kvHeads));
      specs.add(new WeightSpec(p + "self_attn.v_proj.weight", new long[] {kv, d}, kvHeads));
      specs.add(new WeightSpec(p + "self_attn.o_proj.weight", new long[] {d, q}, "hidden_size x num_attention_heads*head_dim"));
      specs.add(new WeightSpec(p + "mlp.gate_proj.weight", new long[] {m, d}, "intermediate_size x hidden_size"));
      specs.add(new WeightSpec(p + "mlp.up_proj.weight", new long[] {m, d}, "intermediate_size x hidden_size"));
      specs.add(new WeightSpec(p + "mlp.down_proj.weight", new long[] {d, m}, "hidden_size x intermediate_size"));
      for (String norm : layerNorms) {
        specs.add(new WeightSpec(p + norm + ".weight", new long[] {d}, "hidden_size"));
      }
    }
    specs.add(new WeightSpec(FINAL_NORM, new long[] {d}, "hidden_size"));
    if (!decoder.tieWordEmbeddings()) {
      specs.add(new WeightSpec(LM_HEAD, new long[] {decoder.vocabSize(), d},
          "vocab_size x hidden_size, tie_word_embeddings=false"));
    }
    return specs;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightSpec w && name.equals(w.name) && Arrays.equals(shape, w.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
