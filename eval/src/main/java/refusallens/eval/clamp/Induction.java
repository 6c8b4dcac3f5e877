package refusallens.eval.clamp;

import java.util.function.ToDoubleFunction;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.intervention.Positions;
import refusallens.refusal.FeatureKey;

/**
 * How refusal is induced on harmless prompts: scale the features (c > 0), set them to one value (a_i = v, the
 * paper's sweep), or set each to a multiple of its own mean activation on harmful prompts (a_i = M x mean_i).
 */
public record Induction(Mode mode, double amount) {
  /** The ways of inducing. */
  public enum Mode {
    SCALE("scale"),
    VALUE("value"),
    HARMFUL_MEAN("harmful-mean");

    private final String wireName;

    Mode(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /**
   * The default of {@code eval clamp}, {@code eval compare} and the study: a_i = 2 x mean_i. Scaling does
   * nothing to features that are silent on harmless prompts (0 x c = 0) and one value v suits no two features
   * of different magnitudes, so each feature is set from its own harmful level. That level (mean_act_harmful)
   * averages over every content position, including the many where the feature is silent; at the
   * post-instruction positions where refusal is decided F* features run at about twice to three times it
   * (the shipped organism's role evidence), so M = 2 brings every position to about that decision-time level
   * without pushing features far past anything harmful prompts show (their top activations are several times
   * the mean).
   */
  public static final String DEFAULT_FLAG = "harmful-mean:2";

  /** {@link #DEFAULT_FLAG} parsed. */
  public static final Induction DEFAULT = parse(DEFAULT_FLAG);

  public Induction {
    if (mode == null || !Double.isFinite(amount)) {
      throw new IllegalArgumentException("induction needs a mode and a finite amount");
    }
  }

  /** Parses {@code scale:C}, {@code value:V} or {@code harmful-mean:M} (the --induce flag). */
  public static Induction parse(String s) {
    String[] parts = s.split(":", 2);
    if (parts.length == 2) {
      for (Mode m : Mode.values()) {
        if (m.wireName.equals(parts[0])) {
          try {
            return new Induction(m, Double.parseDouble(parts[1]));
          } catch (IllegalArgumentException e) { // NumberFormatException or a non-finite amount
            break;
          }
        }
      }
    }
    throw new IllegalArgumentException("--induce '" + s
        + "': expected scale:C (e.g. scale:4), value:V (e.g. value:10) or harmful-mean:M (e.g. harmful-mean:2)");
  }

  /**
   * The intervention on {@code set} at every position; {@code harmfulMean} gives each feature's mean activation
   * on harmful prompts (used by {@link Mode#HARMFUL_MEAN} only).
   */
  public InterventionSpec spec(FeatureSet set, ToDoubleFunction<FeatureKey> harmfulMean) {
    return switch (mode) {
      case SCALE -> set.scaled(amount, Positions.ALL);
      case VALUE -> set.valued(amount, Positions.ALL);
      case HARMFUL_MEAN -> set.valuedEach(k -> amount * harmfulMean.applyAsDouble(k), Positions.ALL);
    };
  }

  @Override
  public String toString() {
    return mode.wireName + ":" + amount;
  }
}
