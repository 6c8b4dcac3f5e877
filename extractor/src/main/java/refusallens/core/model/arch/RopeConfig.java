package refusallens.core.model.arch;

import java.util.Optional;

/**
 * Rotary position embedding settings: base {@code theta} and optional Llama-3 frequency scaling
 * ({@code rope_scaling} with {@code rope_type: llama3}).
 */
public record RopeConfig(double theta, Optional<Llama3Scaling> llama3Scaling) {
  public RopeConfig {
    if (!(theta > 0)) {
      throw new IllegalArgumentException("rope_theta must be > 0, got " + theta);
    }
  }

  /** Llama-3's piecewise rescaling of the inverse frequencies (HF {@code _compute_llama3_parameters}). */
  public record Llama3Scaling(
      double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {
    public Llama3Scaling {
      if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)
          || originalMaxPositionEmbeddings <= 0) {
        throw new IllegalArgumentException(
            "invalid llama3 rope_scaling: factor=" + factor + " low_freq_factor=" + lowFreqFactor
                + " high_freq_factor=" + highFreqFactor + " original_max_position_embeddings="
                + originalMaxPositionEmbeddings);
      }
    }
  }

  /** Reads {@code rope_theta} (default 10000) and {@code rope_scaling} (or {@code rope_parameters}). */
  public static RopeConfig parse(HfConfigJson json) {
    HfConfigJson params = null;
    if (json.has("rope_scaling")) {
      params = HfConfigJson.of(json.file(), json.node("rope_scaling"));
    } else if (json.has("rope_parameters")) {
      params = HfConfigJson.of(json.file(), json.node("rope_parameters"));
    }
    double theta = json.number("rope_theta", params != null ? params.number("rope_theta", 10000.0) : 10000.0);
    if (params == null) {
      return new RopeConfig(theta, Optional.empty());
    }
    String type = params.has("rope_type") ? params.requireString("rope_type") : params.string("type", "default");
    switch (type) {
      case "default":
        return new RopeConfig(theta, Optional.empty());
      case "llama3":
        return new RopeConfig(
            theta,
            Optional.of(
                new Llama3Scaling(
                    params.requireDouble("factor"),
                    params.requireDouble("low_freq_factor"),
                    params.requireDouble("high_freq_factor"),
                    params.requireInt("original_max_position_embeddings"))));
      default:
        throw new IllegalArgumentException(
            json.file() + ": unsupported rope_scaling rope_type '" + type + "'; supported: default, llama3");
    }
  }
}
