package refusallens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code refusal-lens bench ...}: benchmarks that print figures (never timed tests). */
@Command(
    name = "bench",
    description = "Benchmarks: print throughput and memory figures.",
    subcommands = {BenchTokenizeCommand.class, BenchExtractCommand.class, BenchForwardCommand.class,
      BenchAttributionCommand.class, BenchGenerateCommand.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
