package refusallens.cli;

import picocli.CommandLine.Option;
import refusallens.eval.judge.Judge;
import refusallens.eval.judge.JudgeSpec;

/** The {@code --judge} of the commands that judge completions (a picocli mixin): one grammar, one default. */
final class JudgeOption {
  @Option(names = "--judge", defaultValue = "task", paramLabel = "task|phrases|PRESET=DIR",
      description = "Judge (refused / complied / degenerate): task (refusal phrases; complied = an answer opener"
          + " and the request's task words), phrases (refusal phrases only), or a classifier checkpoint:"
          + " harmbench=DIR (Llama-2-13b-cls) or llama-guard-3=DIR. Default: ${DEFAULT-VALUE}.")
  String judge;

  /** The judge named by --judge, opened (a classifier checkpoint is loaded here). */
  Judge open() {
    return JudgeSpec.parse(judge, "--judge").open();
  }
}
