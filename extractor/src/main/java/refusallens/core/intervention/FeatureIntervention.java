package refusallens.core.intervention;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of an intervention: at SAE layer {@code layer}, set each feature's activation a_i to
 * {@code scale * a_i} or to {@code value}, at {@code positions}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"layer", "features", "scale", "value", "positions"})
public record FeatureIntervention(Integer layer, List<Integer> features, Double scale, Double value, Positions positions) {
  /**
   * Largest |scale| and |value| accepted: 1e12. The runtime computes in float32, and the next RMSNorm sums the
   * squares of the edited residual over d_model: that sum stays finite while |x| < sqrt(Float.MAX_VALUE / d),
   * about 1.4e17 for d_model up to 16384. A scale of 1e12 on activations up to 1e5 (SAE activations we know,
   * GemmaScope's and the organism's, stay below 1e3), or a value of 1e12, keeps |c a| at or below 1e17; a
   * larger factor (such as 1e300, which is infinite in float32) can only make the pass non-finite.
   */
  public static final double MAX_MAGNITUDE = 1e12;

  public FeatureIntervention {
    if (layer == null) {
      throw new IllegalArgumentException("'layer' is missing");
    }
    if (layer < 0) {
      throw new IllegalArgumentException("'layer' must be >= 0, got " + layer);
    }
    if (features == null || features.isEmpty()) {
      throw new IllegalArgumentException("'features' must list at least one feature index");
    }
    Set<Integer> seen = new HashSet<>();
    for (Integer f : features) {
      if (f == null || f < 0) {
        throw new IllegalArgumentException("'features' must be indices >= 0, got " + features);
      }
      if (!seen.add(f)) {
        throw new IllegalArgumentException("'features' lists feature " + f + " twice");
      }
    }
    if ((scale == null) == (value == null)) {
      throw new IllegalArgumentException(
          "give exactly one of 'scale' (a_i -> c * a_i) or 'value' (a_i -> v), got "
              + (scale == null ? "neither" : "both"));
    }
    if (scale != null) {
      checkMagnitude("scale", scale);
    }
    if (value != null) {
      checkMagnitude("value", value);
    }
    features = List.copyOf(features);
    positions = positions == null ? Positions.ALL : positions;
  }

  /**
   * Checks a scale or value against {@link #MAX_MAGNITUDE}; {@code field} names it in the error (a JSON key,
   * a CLI flag).
   */
  public static void checkMagnitude(String field, double x) {
    if (!Double.isFinite(x) || Math.abs(x) > MAX_MAGNITUDE) {
      throw new IllegalArgumentException(
          "'" + field + "' is " + x + ": it must be a finite number with |" + field + "| <= " + MAX_MAGNITUDE
              + " (larger factors overflow float32 activations)");
    }
  }

  /** Scales features' activations by {@code c} at {@code positions}. */
  public static FeatureIntervention scale(int layer, List<Integer> features, double c, Positions positions) {
    return new FeatureIntervention(layer, features, c, null, positions);
  }

  /** Sets features' activations to {@code v} at {@code positions}. */
  public static FeatureIntervention value(int layer, List<Integer> features, double v, Positions positions) {
    return new FeatureIntervention(layer, features, null, v, positions);
  }

  /** The feature indices as an array. */
  @JsonIgnore
  public int[] featureArray() {
    return features.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The new activation of a feature whose activation is {@code a}. */
  public double newActivation(double a) {
    return scale != null ? scale * a : value;
  }
}
