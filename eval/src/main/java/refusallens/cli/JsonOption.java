package refusallens.cli;

import picocli.CommandLine.Option;

/** The {@code --json} of the commands that print results (a picocli mixin): one JSON document on stdout. */
final class JsonOption {
  @Option(names = "--json", description = "Print one JSON document on stdout.")
  boolean json;
}
