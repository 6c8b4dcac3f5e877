package refusallens.model.llama;

import java.util.List;
import java.util.OptionalInt;
import refusallens.model.Activation;
import refusallens.model.Architecture;
import refusallens.model.HfConfigJson;
import refusallens.model.ModelConfig;
import refusallens.model.RopeConfig;

/** Llama (2/3/3.1) hyperparameters ({@code model_type: llama}); absent keys take HF {@code LlamaConfig} defaults
 * ({@code max_position_embeddings} 2048). */
public record LlamaConfig(
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
    int maxPositionEmbeddings)
    implements ModelConfig {

  public LlamaConfig {
    ModelConfig.validateCommon(vocabSize, dModel, numLayers, numHeads, numKvHeads, headDim, dMlp, rmsNormEps,
        maxPositionEmbeddings);
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  @Override
  public Architecture architecture() {
    return Architecture.LLAMA;
  }

  /** Parses a llama {@code config.json}; biased projections are refused (no supported checkpoint has them). */
  public static LlamaConfig parse(HfConfigJson json) {
    if (json.bool("attention_bias", false) || json.bool("mlp_bias", false)) {
      throw new IllegalArgumentException(
          json.file() + ": attention_bias/mlp_bias = true is not supported (Llama-3 checkpoints have no biases)");
    }
    int d = json.requireInt("hidden_size");
    int heads = json.requireInt("num_attention_heads");
    return new LlamaConfig(
        json.requireInt("vocab_size"),
        d,
        json.requireInt("num_hidden_layers"),
        heads,
        json.integer("num_key_value_heads", heads),
        json.integer("head_dim", d / heads),
        json.requireInt("intermediate_size"),
        json.number("rms_norm_eps", 1e-6),
        RopeConfig.parse(json),
        json.bool("tie_word_embeddings", false),
        json.intOrIntList("eos_token_id"),
        json.optionalInt("bos_token_id"),
        json.optionalInt("pad_token_id"),
        json.string("torch_dtype", json.string("dtype", "float32")),
        Activation.parse(json.string("hidden_act", "silu"), json.file()),
        json.integer("max_position_embeddings", 2048));
  }
}
