package refusallens.refusal.extract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One tensor of an activation store: rows are prompts, columns are residual dimensions or SAE features.
 * Names are {@code resid_post.L{layer}.{position}} and {@code sae_acts.L{layer}.{position}}.
 *
 * @param features for SAE tensors holding a feature list, the SAE feature index of each column; null when
 *     the columns are all {@code width} features (or residual dimensions) in order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoreTensor(
    String name, Kind kind, int layer, PositionRule position, int width, List<Integer> features) {

  /** What the columns are. */
  public enum Kind {
    /** {@code blocks.L.hook_resid_post}, [n, d_model]. */
    RESID_POST,
    /** SAE feature activations at layer L, [n, m] or [n, |feature list|]. */
    SAE_ACTS
  }

  public StoreTensor {
    if (kind == null || position == null) throw new IllegalArgumentException("store tensor needs kind and position");
    if (layer < 0) throw new IllegalArgumentException("store tensor layer " + layer + ": expected >= 0");
    if (width < 1) throw new IllegalArgumentException("store tensor width " + width + ": expected >= 1");
    if (features != null) {
      features = List.copyOf(features);
      if (features.size() != width) {
        throw new IllegalArgumentException(
            "store tensor " + name + ": " + features.size() + " feature ids for width " + width);
      }
    }
    String expected = nameOf(kind, layer, position);
    if (!expected.equals(name)) {
      throw new IllegalArgumentException("store tensor name '" + name + "': expected '" + expected + "'");
    }
  }

  /** The canonical tensor name. */
  public static String nameOf(Kind kind, int layer, PositionRule position) {
    String prefix = kind == Kind.RESID_POST ? "resid_post" : "sae_acts";
    return prefix + ".L" + layer + "." + position.wireName();
  }

  /** Raw residual stream after block {@code layer}, d_model columns. */
  public static StoreTensor residPost(int layer, PositionRule position, int dModel) {
    return new StoreTensor(nameOf(Kind.RESID_POST, layer, position), Kind.RESID_POST, layer, position, dModel, null);
  }

  /** All {@code m} SAE features of a layer. */
  public static StoreTensor saeActs(int layer, PositionRule position, int m) {
    return new StoreTensor(nameOf(Kind.SAE_ACTS, layer, position), Kind.SAE_ACTS, layer, position, m, null);
  }

  /** A list of SAE features of a layer, one column each in the given order. */
  public static StoreTensor saeFeatures(int layer, PositionRule position, List<Integer> features) {
    return new StoreTensor(
        nameOf(Kind.SAE_ACTS, layer, position), Kind.SAE_ACTS, layer, position, features.size(), features);
  }

  /** The column of SAE feature (or residual dimension) {@code index}, or -1 if this tensor lacks it. */
  public int columnOf(int index) {
    if (features == null) return index >= 0 && index < width ? index : -1;
    return features.indexOf(index);
  }
}
