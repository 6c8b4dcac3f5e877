package refusallens.cli;

import picocli.CommandLine.Option;

/** The {@code --force} of the commands that write into an {@code --out} directory (a picocli mixin). */
final class ForceOption {
  @Option(names = "--force", description = "Write into a non-empty --out that another tool or command wrote;"
      + " its files are kept (never overwritten or deleted).")
  boolean force;
}
