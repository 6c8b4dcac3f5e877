package refusallens.cli;

import picocli.CommandLine.Option;

/** The validation and test shares of {@code datasets make} and {@code datasets split} (a picocli mixin). */
final class SplitSharesOptions {
  @Option(names = "--val", defaultValue = "0.15", description = "Validation share (default ${DEFAULT-VALUE}).")
  double val;

  @Option(names = "--test", defaultValue = "0.15", description = "Test share (default ${DEFAULT-VALUE}).")
  double test;
}
