package refusallens.cli;

import picocli.CommandLine.Option;
import refusallens.eval.clamp.Induction;
import refusallens.core.intervention.FeatureIntervention;

/** The {@code --induce} of {@code eval clamp} and {@code eval compare} (a picocli mixin): how refusal is induced. */
final class InductionOption {
  @Option(names = "--induce", defaultValue = Induction.DEFAULT_FLAG, paramLabel = "harmful-mean:M|scale:C|value:V",
      description = "Refusal induction on harmless prompts: a_i = M x feature i's mean activation on harmful prompts"
          + " (features.json; eval compare measures it on the harmful sample for baseline features it does not list),"
          + " a_i -> C a_i, or a_i = V; every position (default ${DEFAULT-VALUE}).")
  String induce;

  /** The parsed induction; a factor or value that overflows float32 is refused before any model work. */
  Induction induction() {
    Induction induction = Induction.parse(induce);
    if (induction.mode() != Induction.Mode.HARMFUL_MEAN) {
      FeatureIntervention.checkMagnitude("--induce", induction.amount());
    }
    return induction;
  }
}
