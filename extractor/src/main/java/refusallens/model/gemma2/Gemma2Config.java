package refusallens.model.gemma2;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import refusallens.model.Activation;
import refusallens.model.Architecture;
import refusallens.model.HfConfigJson;
import refusallens.model.ModelConfig;
import refusallens.model.RopeConfig;

/**
 * Gemma-2 hyperparameters ({@code model_type: gemma2}); absent keys take the HF {@code Gemma2Config}
 * defaults, and an explicit null soft-cap disables it.
 *
 * @param maxPositionEmbeddings {@code max_position_embeddings} (HF default 8192)
 * @param slidingLayers per layer, whether it uses the sliding window (even layers unless {@code layer_types} says otherwise)
 */
public record Gemma2Config(
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
    double queryPreAttnScalar,
    OptionalDouble attnLogitSoftcapping,
    OptionalDouble finalLogitSoftcapping,
    int slidingWindow,
    List<Boolean> slidingLayers,
    int maxPositionEmbeddings)
    implements ModelConfig {

  public Gemma2Config {
    ModelConfig.validateCommon(vocabSize, dModel, numLayers, numHeads, numKvHeads, headDim, dMlp, rmsNormEps,
        maxPositionEmbeddings);
    eosTokenIds = List.copyOf(eosTokenIds);
    slidingLayers = List.copyOf(slidingLayers);
    if (slidingLayers.size() != numLayers) {
      throw new IllegalArgumentException(
          "layer_types has " + slidingLayers.size() + " entries, num_hidden_layers is " + numLayers);
    }
    if (!(queryPreAttnScalar > 0)) {
      throw new IllegalArgumentException("query_pre_attn_scalar must be > 0, got " + queryPreAttnScalar);
    }
    if (slidingWindow <= 0) {
      throw new IllegalArgumentException("sliding_window must be > 0, got " + slidingWindow);
    }
  }

  @Override
  public Architecture architecture() {
    return Architecture.GEMMA2;
  }

  /** Parses a gemma2 {@code config.json}. */
  public static Gemma2Config parse(HfConfigJson json) {
    int d = json.requireInt("hidden_size");
    int heads = json.requireInt("num_attention_heads");
    int layers = json.requireInt("num_hidden_layers");
    int headDim = json.integer("head_dim", 256);
    String act = json.has("hidden_activation")
        ? json.requireString("hidden_activation")
        : json.string("hidden_act", "gelu_pytorch_tanh");
    return new Gemma2Config(
        json.requireInt("vocab_size"),
        d,
        layers,
        heads,
        json.integer("num_key_value_heads", heads),
        headDim,
        json.requireInt("intermediate_size"),
        json.number("rms_norm_eps", 1e-6),
        RopeConfig.parse(json),
        json.bool("tie_word_embeddings", true),
        json.intOrIntList("eos_token_id"),
        json.optionalInt("bos_token_id"),
        json.optionalInt("pad_token_id"),
        json.string("torch_dtype", json.string("dtype", "float32")),
        Activation.parse(act, json.file()),
        json.number("query_pre_attn_scalar", 256),
        softcap(json, "attn_logit_softcapping", 50.0),
        softcap(json, "final_logit_softcapping", 30.0),
        json.integer("sliding_window", 4096),
        slidingLayers(json, layers),
        json.integer("max_position_embeddings", 8192));
  }

  private static OptionalDouble softcap(HfConfigJson json, String key, double hfDefault) {
    JsonNode n = json.node(key);
    if (n == null) {
      return OptionalDouble.of(hfDefault);
    }
    return n.isNull() ? OptionalDouble.empty() : json.optionalDouble(key);
  }

  private static List<Boolean> slidingLayers(HfConfigJson json, int layers) {
    List<Boolean> out = new ArrayList<>();
    JsonNode types = json.node("layer_types");
    if (types != null && types.isArray()) {
      for (JsonNode t : types) {
        String s = t.asText();
        if (!s.equals("sliding_attention") && !s.equals("full_attention")) {
          throw new IllegalArgumentException(
              json.file() + ": layer_types entries must be sliding_attention or full_attention, got '" + s + "'");
        }
        out.add(s.equals("sliding_attention"));
      }
      return out;
    }
    for (int i = 0; i < layers; i++) {
      out.add(i % 2 == 0); // HF Gemma-2: even layers slide
    }
    return out;
  }
}
