package refusallens.core.model.arch;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The decoder hyperparameters every supported architecture shares, with their one {@code config.json} parsing and
 * checks; each architecture's config record holds one and adds its own keys.
 *
 * @param dModel width of the residual stream ({@code hidden_size})
 * @param dMlp width of the MLP hidden layer ({@code intermediate_size})
 * @param eosTokenIds stop tokens from {@code eos_token_id} (an int or a list on the Hub)
 * @param torchDtype the checkpoint's stored dtype ({@code torch_dtype}), informational: compute is float32
 * @param maxPositionEmbeddings longest sequence the model was built for ({@code max_position_embeddings})
 */
public record DecoderShape(
    int vocabSize,
    int dModel,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    int dMlp,
    double rmsNormEps,
    RopeConfig rope,
    boolean tieWordEmbeddings,
    List<Integer> eosTokenIds,
    OptionalInt bosTokenId,
    OptionalInt padTokenId,
    String torchDtype,
    Activation hiddenActivation,
    int maxPositionEmbeddings) {

  /**
   * What one architecture's HF config class gives the shared keys it leaves out.
   *
   * @param headDim {@code head_dim} when absent; empty means {@code hidden_size / num_attention_heads}
   */
  public record HfDefaults(OptionalInt headDim, boolean tieWordEmbeddings, int maxPositionEmbeddings) {}

  public DecoderShape {
    requirePositive("max_position_embeddings", maxPositionEmbeddings);
    requirePositive("vocab_size", vocabSize);
    requirePositive("hidden_size", dModel);
    requirePositive("num_hidden_layers", numLayers);
    requirePositive("num_attention_heads", numHeads);
    requirePositive("num_key_value_heads", numKvHeads);
    requirePositive("head_dim", headDim);
    requirePositive("intermediate_size", dMlp);
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads (" + numHeads + ") must be a multiple of num_key_value_heads (" + numKvHeads + ")");
    }
    if (headDim % 2 != 0) {
      throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
    }
    if (!(rmsNormEps > 0)) {
      throw new IllegalArgumentException("rms_norm_eps must be > 0, got " + rmsNormEps);
    }
    Objects.requireNonNull(rope, "rope");
    eosTokenIds = List.copyOf(eosTokenIds);
    Objects.requireNonNull(bosTokenId, "bos_token_id");
    Objects.requireNonNull(padTokenId, "pad_token_id");
    Objects.requireNonNull(torchDtype, "torch_dtype");
    Objects.requireNonNull(hiddenActivation, "hidden_act");
  }

  /**
   * Reads the shared keys of a {@code config.json}; a missing required key is an error naming the file and the key.
   * The activation's key differs between architectures, so the caller reads it.
   */
  public static DecoderShape parse(HfConfigJson json, HfDefaults defaults, Activation hiddenActivation) {
    int d = json.requireInt("hidden_size");
    int heads = json.requireInt("num_attention_heads");
    return new DecoderShape(
        json.requireInt("vocab_size"),
        d,
        json.requireInt("num_hidden_layers"),
        heads,
        json.integer("num_key_value_heads", heads),
        json.integer("head_dim", defaults.headDim().orElseGet(() -> heads > 0 ? d / heads : 0)),
        json.requireInt("intermediate_size"),
        json.number("rms_norm_eps", 1e-6),
        RopeConfig.parse(json),
        json.bool("tie_word_embeddings", defaults.tieWordEmbeddings()),
        json.intOrIntList("eos_token_id"),
        json.optionalInt("bos_token_id"),
        json.optionalInt("pad_token_id"),
        json.string("torch_dtype", json.string("dtype", "float32")),
        hiddenActivation,
        json.integer("max_position_embeddings", defaults.maxPositionEmbeddings()));
  }

  private static void requirePositive(String key, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + " must be > 0, got " + v);
    }
  }
}
