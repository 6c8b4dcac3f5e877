package refusallens.core.model.arch.gemma2;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import refusallens.core.model.arch.Activation;
import refusallens.core.model.arch.Architecture;
import refusallens.core.model.arch.DecoderShape;
import refusallens.core.model.arch.HfConfigJson;
import refusallens.core.model.arch.ModelConfig;

/**
 * Gemma-2 hyperparameters ({@code model_type: gemma2}); absent keys take the HF {@code Gemma2Config}
 * defaults, and an explicit null soft-cap disables it.
 *
 * @param shape the shared decoder keys (HF defaults: {@code head_dim} 256, tied embeddings,
 *     {@code gelu_pytorch_tanh}, {@code max_position_embeddings} 8192)
 * @param slidingLayers per layer, whether it uses the sliding window (even layers unless {@code layer_types} says otherwise)
 */
public record Gemma2Config(
    DecoderShape shape,
    double queryPreAttnScalar,
    OptionalDouble attnLogitSoftcapping,
    OptionalDouble finalLogitSoftcapping,
    int slidingWindow,
    List<Boolean> slidingLayers)
    implements ModelConfig {
  private static final DecoderShape.HfDefaults HF_DEFAULTS = new DecoderShape.HfDefaults(OptionalInt.of(256), true, 8192);

  public Gemma2Config {
    slidingLayers = List.copyOf(slidingLayers);
    if (slidingLayers.size() != shape.numLayers()) {
      throw new IllegalArgumentException(
          "layer_types has " + slidingLayers.size() + " entries, num_hidden_layers is " + shape.numLayers());
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
    String act = json.has("hidden_activation")
        ? json.requireString("hidden_activation")
        : json.string("hidden_act", "gelu_pytorch_tanh");
    DecoderShape shape = DecoderShape.parse(json, HF_DEFAULTS, Activation.parse(act, json.file()));
    return new Gemma2Config(
        shape,
        json.number("query_pre_attn_scalar", 256),
        softcap(json, "attn_logit_softcapping", 50.0),
        softcap(json, "final_logit_softcapping", 30.0),
        json.integer("sliding_window", 4096),
        slidingLayers(json, shape.numLayers()));
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
