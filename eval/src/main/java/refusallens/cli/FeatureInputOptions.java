package refusallens.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the commands that use F* on held-out prompts take ({@code eval *}, {@code features show}; a picocli mixin
 * or base): the model, its SAEs, features.json and how many held-out prompts of each label.
 */
class FeatureInputOptions {
  @Mixin ModelDirOption modelOption;

  @CommandLine.Mixin SaeOption saeOption;

  @Option(names = "--features", paramLabel = "FILE", description = "features.json of 'features find' (default: features.json in the model directory).")
  Path features;

  @Option(names = "--harmful", defaultValue = "32", description = "Held-out harmful prompts (default ${DEFAULT-VALUE}).")
  int harmful;

  @Option(names = "--harmless", defaultValue = "32", description = "Held-out harmless prompts (default ${DEFAULT-VALUE}).")
  int harmless;

  /** The model, SAEs and features these options name, checked against each other. */
  EvalCommand.Opened openFeatures() {
    return EvalCommand.Opened.of(modelOption.model, saeOption.sae, features);
  }
}
