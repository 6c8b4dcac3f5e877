package refusallens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.eval.judge.Judge;
import refusallens.eval.organism.PromptSetRefusal;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.eval.report.EvalReport;
import refusallens.lens.Lens;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.core.tokenizer.Tokenizer;

/** {@code refusal-lens eval refusal}: how often a model refuses, complies or degenerates on each prompt set. */
@Command(name = "refusal",
    description = {
      "Greedy completions of every prompt of a JSONL file (datasets import writes them), judged refused / complied /"
          + " degenerate; per set (the records' source, or --set) the three shares with n and 95% Wilson intervals."})
final class EvalRefusalCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Prompts (JSONL of datasets import).")
  Path data;

  @CommandLine.Mixin ModelDirOption modelOption;

  @CommandLine.Mixin JudgeOption judgeOption;

  @Option(names = "--set", paramLabel = "NAME", description = "One set name for every prompt (default: group by source).")
  String set;

  @Option(names = "--limit", defaultValue = "2147483647", description = "At most this many prompts per set, sampled with --seed (default: all).")
  int limit;

  @CommandLine.Mixin GenerationOptions generation;

  @Option(names = "--max-prompt-tokens", defaultValue = "1024",
      description = "Prompts with more chat tokens are counted as skipped_too_long, not run (default ${DEFAULT-VALUE}).")
  int maxPromptTokens;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the --limit sample (default ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws Exception {
    if (limit <= 0) {
      throw new IllegalArgumentException("--limit must be positive");
    }
    List<Prompt> prompts = PromptJsonl.read(data);
    Lens lens = Lens.open(modelOption.model);
    Path dir = lens.modelDir();
    Transformer m = lens.model();
    Tokenizer tok = lens.tokenizer();
    Judge j = judgeOption.open();
    RefusalEvaluation eval = new RefusalEvaluation(m, tok, j, generation.maxNewTokens, generation.batchSize);
    Map<String, PromptSetRefusal.SetResult> sets;
    try (ConsoleProgress progress = new ConsoleProgress(System.err)) {
      sets = PromptSetRefusal.evaluate(eval, tok, PromptSetRefusal.sets(prompts, set), limit, maxPromptTokens, seed, progress);
    }
    ObjectNode root = EvalReport.JSON.createObjectNode();
    root.put("schemaVersion", 1);
    root.put("model", dir.toString());
    root.put("data", data.toString());
    root.put("judge", j.name());
    root.put("max_new_tokens", generation.maxNewTokens);
    root.put("seed", seed);
    root.set("sets", EvalReport.JSON.valueToTree(sets));
    if (jsonOption.json) {
      CliJson.print(spec.commandLine().getOut(), root);
      return 0;
    }
    spec.commandLine().getOut().printf("model %s, judge %s%n", dir, j.name());
    print(spec.commandLine().getOut(), sets);
    return 0;
  }

  /** One line per set: n, the three shares and their intervals. */
  static void print(java.io.PrintWriter out, Map<String, PromptSetRefusal.SetResult> sets) {
    out.printf("%-32s %-8s %5s  %-22s %-22s %-22s%n", "set", "label", "n", "refused [95% CI]", "complied", "degenerate");
    sets.forEach((name, r) -> {
      var o = r.outcomes();
      out.printf("%-32s %-8s %5d  %-22s %-22s %-22s%s%n", name, r.label(), o.n(),
          share(o.refused(), o.ci95().get("refused")), share(o.complied(), o.ci95().get("complied")),
          share(o.degenerate(), o.ci95().get("degenerate")),
          r.skippedTooLong() > 0 ? "  (" + r.skippedTooLong() + " too long, skipped)" : "");
    });
  }

  private static String share(double s, double[] ci) {
    return String.format("%.3f [%.3f, %.3f]", s, ci[0], ci[1]);
  }
}
