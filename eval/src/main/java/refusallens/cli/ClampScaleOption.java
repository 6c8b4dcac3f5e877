package refusallens.cli;

import picocli.CommandLine.Option;

/** The {@code --scale} of {@code eval clamp} and {@code eval compare} (a picocli mixin): c of the jailbreak clamps. */
final class ClampScaleOption {
  @Option(names = "--scale", defaultValue = "-3",
      description = "c of the jailbreak clamps, a_i -> c a_i (default ${DEFAULT-VALUE}).")
  double scale;
}
