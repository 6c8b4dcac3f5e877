package refusallens.eval.clamp;

import refusallens.intervention.InterventionSpec;
import refusallens.intervention.Positions;

/** How refusal is induced on harmless prompts: scale the features (c > 0) or set them to a value (a_i = v). */
public record Induction(Mode mode, double amount) {
  /** The two ways of the paper. */
  public enum Mode {
    SCALE,
    VALUE
  }

  public Induction {
    if (mode == null || !Double.isFinite(amount)) {
      throw new IllegalArgumentException("induction needs a mode and a finite amount");
    }
  }

  /** Parses {@code scale:C} or {@code value:V} (the --induce flag). */
  public static Induction parse(String s) {
    String[] parts = s.split(":", 2);
    if (parts.length == 2) {
      try {
        double x = Double.parseDouble(parts[1]);
        if (parts[0].equals("scale")) {
          return new Induction(Mode.SCALE, x);
        }
        if (parts[0].equals("value")) {
          return new Induction(Mode.VALUE, x);
        }
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new IllegalArgumentException("--induce '" + s + "': expected scale:C (e.g. scale:4) or value:V (e.g. value:10)");
  }

  /** The intervention on {@code set} at every position. */
  public InterventionSpec spec(FeatureSet set) {
    return mode == Mode.SCALE ? set.scaled(amount, Positions.ALL) : set.valued(amount, Positions.ALL);
  }

  @Override
  public String toString() {
    return (mode == Mode.SCALE ? "scale:" : "value:") + amount;
  }
}
