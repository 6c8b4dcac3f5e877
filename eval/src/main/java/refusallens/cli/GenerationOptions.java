package refusallens.cli;

import picocli.CommandLine.Option;

/** How the commands that judge greedy completions generate them (a picocli mixin): tokens per completion, batch. */
final class GenerationOptions {
  @Option(names = "--max-new-tokens", defaultValue = "32",
      description = "Greedy tokens per completion (default ${DEFAULT-VALUE}; the paper: 256).")
  int maxNewTokens;

  @Option(names = "--batch-size", defaultValue = "8", description = "Prompts per generation batch (default ${DEFAULT-VALUE}).")
  int batchSize;
}
