package refusallens.core.model.arch.llama;

import java.util.OptionalInt;
import refusallens.core.model.arch.Activation;
import refusallens.core.model.arch.Architecture;
import refusallens.core.model.arch.DecoderShape;
import refusallens.core.model.arch.HfConfigJson;
import refusallens.core.model.arch.ModelConfig;

/**
 * Llama (2/3/3.1) hyperparameters ({@code model_type: llama}): the shared decoder shape and nothing else; absent keys
 * take HF {@code LlamaConfig} defaults ({@code head_dim} hidden_size / heads, untied embeddings, {@code silu},
 * {@code max_position_embeddings} 2048).
 */
public record LlamaConfig(DecoderShape shape) implements ModelConfig {
  private static final DecoderShape.HfDefaults HF_DEFAULTS = new DecoderShape.HfDefaults(OptionalInt.empty(), false, 2048);

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
    Activation act = Activation.parse(json.string("hidden_act", "silu"), json.file());
    return new LlamaConfig(DecoderShape.parse(json, HF_DEFAULTS, act));
  }
}
