package refusallens.cli;

import picocli.CommandLine.Option;

/**
 * The validation and test shares of a split (a picocli mixin): {@code datasets make} and {@code datasets split}
 * split prompts, {@code probes} the plain prompts of an activation store. A command with other defaults initialises
 * the mixin field with {@link #SplitSharesOptions(double, double)}.
 */
final class SplitSharesOptions {
  @Option(names = "--val", description = "Validation share (default ${DEFAULT-VALUE}).")
  double val;

  @Option(names = "--test", description = "Test share (default ${DEFAULT-VALUE}).")
  double test;

  SplitSharesOptions() {
    this(0.15, 0.15);
  }

  SplitSharesOptions(double defaultVal, double defaultTest) {
    this.val = defaultVal;
    this.test = defaultTest;
  }

  /** The old name of --val in probes, kept so that recorded commands still run. */
  @Option(names = "--val-frac", hidden = true, description = "Deprecated: use --val.")
  void valFrac(double share) {
    val = share;
  }

  /** The old name of --test in probes. */
  @Option(names = "--test-frac", hidden = true, description = "Deprecated: use --test.")
  void testFrac(double share) {
    test = share;
  }
}
