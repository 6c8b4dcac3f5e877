package refusallens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code refusal-lens dev ...}: developer tools (benchmarks, load test, synthetic checkpoints), apart from the uses. */
@Command(
    name = "dev",
    description = "Developer tools: benchmarks, the service load test, synthetic checkpoints.",
    subcommands = {BenchCommand.class, LoadtestCommand.class, SynthModelCommand.class})
public final class DevCommand implements Runnable {
  /** The developer commands also reachable at the top level under their old names (hidden from help). */
  static final java.util.List<Class<?>> LEGACY_TOP_LEVEL =
      java.util.List.of(BenchCommand.class, LoadtestCommand.class, SynthModelCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
