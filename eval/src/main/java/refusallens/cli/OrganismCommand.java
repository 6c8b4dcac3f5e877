package refusallens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import com.fasterxml.jackson.databind.node.ObjectNode;
import refusallens.eval.judge.Judge;
import refusallens.eval.organism.PromptSetRefusal;
import refusallens.eval.organism.OrganismEvaluator;
import refusallens.files.Json;
import refusallens.organism.Organism;
import refusallens.organism.OrganismBudget;
import refusallens.organism.OrganismTrainer;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;

/** {@code refusal-lens organism ...}: train, evaluate and export the embedded refusal model organism. */
@Command(
    name = "organism",
    description = "The embedded default model: a small gemma2 chat model that refuses harmful requests, with SAEs.",
    subcommands = {OrganismCommand.Train.class, OrganismCommand.Evaluate.class, OrganismCommand.Export.class})
public final class OrganismCommand implements Runnable {
  private static final ObjectMapper JSON = Json.MAPPER;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code organism train}. */
  @Command(name = "train",
      description = "Train tokenizer, chat model and SAEs into --out; an existing --out resumes from its last checkpoint.")
  static final class Train implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** A training run owns its whole directory; one without an ownership record has organism-run.json. */
    static final OutputKind OUTPUT = OutputKind.recognisedBy("organism train", "organism-run.json", null, List.of("."));
    private static final String WHOLE = ".";

    @Option(names = "--out", required = true, description = "Output directory (resumed when it holds a run).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--budget", defaultValue = "full", description = "tiny | small | full (default ${DEFAULT-VALUE}).")
    String budget;

    @Option(names = "--data", paramLabel = "DIR",
        description = "Public datasets folder (upstream layouts, README 'Public datasets'): train organism v2 in two"
            + " stages on real public prompts plus the generator (stage 1 complies with everything, stage 2 refuses"
            + " harmful requests). Default: v1, the generator alone.")
    Path data;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      OrganismBudget b = OrganismBudget.parse(budget);
      OutputDir dir = OutputDir.open(out, "--out", OUTPUT, false, List.of(WHOLE));
      dir.claim(WHOLE);
      JsonNode report = new OrganismTrainer(new OrganismTrainer.Options(out, seed, b, data)).run();
      dir.commit(WHOLE);
      if (jsonOption.json) {
        CliJson.print(spec.commandLine().getOut(), report);
      } else {
        spec.commandLine().getOut().println("organism written to " + out);
        CliJson.print(spec.commandLine().getOut(), report);
      }
      return 0;
    }
  }

  /** {@code organism evaluate}. */
  @Command(name = "evaluate",
      description = "Refusal of held-out harmful prompts, compliance with harmless ones, attacks, SAE metrics.")
  static final class Evaluate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin ModelDirOption modelOption;

    @Option(names = "--harmful", defaultValue = "2147483647", description = "At most this many held-out harmful prompts (default: all).")
    int harmful;

    @Option(names = "--harmless", defaultValue = "2147483647", description = "At most this many held-out harmless prompts (default: all).")
    int harmless;

    @Option(names = "--attack-base", defaultValue = "40", description = "Harmful prompts each attack is applied to (default ${DEFAULT-VALUE}; 0 = none).")
    int attackBase;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "Greedy tokens per completion (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--no-sae", description = "Skip the SAE metrics.")
    boolean noSae;

    @Option(names = "--data", paramLabel = "DIR",
        description = "Public datasets folder (upstream layouts, README 'Public datasets'): also report every held-out real set.")
    Path data;

    @Option(names = "--real-limit", defaultValue = "2147483647",
        description = "At most this many prompts per held-out real set, sampled with --seed (default: all).")
    int realLimit;

    @Option(names = "--max-prompt-tokens", defaultValue = "1024",
        description = "Real prompts with more chat tokens are counted as skipped_too_long (default ${DEFAULT-VALUE}).")
    int maxPromptTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the --real-limit sample (default ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Mixin JudgeOption judgeOption;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      Path dir = modelOption.dir();
      Judge j = judgeOption.open();
      OrganismEvaluator.Result r = OrganismEvaluator.evaluate(dir, j,
          new OrganismEvaluator.Options(harmful, harmless, attackBase, maxNewTokens, !noSae),
          s -> System.err.println("organism: " + s));
      Map<String, PromptSetRefusal.SetResult> real = null;
      if (data != null) {
        try (ConsoleProgress progress = new ConsoleProgress(System.err)) {
          real = OrganismEvaluator.heldOutReal(dir, data, j, realLimit, maxNewTokens, maxPromptTokens, seed, progress,
              s -> System.err.println("organism: " + s));
        }
      }
      if (jsonOption.json) {
        ObjectNode root = JSON.valueToTree(r);
        if (real != null) {
          root.put("data", data.toString());
          root.set("held_out_real", JSON.valueToTree(real));
        }
        CliJson.print(spec.commandLine().getOut(), root);
        return 0;
      }
      spec.commandLine().getOut().printf("model %s (judge %s)%n", r.model(), r.judge());
      spec.commandLine().getOut().printf("harmful refusal rate    %.3f  (n=%d)%n", r.harmfulRefusalRate(), r.nHarmful());
      spec.commandLine().getOut().printf("harmless compliance rate %.3f  (n=%d)%n", r.harmlessComplianceRate(), r.nHarmless());
      for (Map.Entry<String, Double> e : r.attacks().entrySet()) {
        spec.commandLine().getOut().printf("attack %-22s refusal %.3f  (n=%d)%n", e.getKey(), e.getValue(), r.nAttackBase());
      }
      for (Map.Entry<String, OrganismEvaluator.SaeFigures> e : r.sae().entrySet()) {
        OrganismEvaluator.SaeFigures s = e.getValue();
        spec.commandLine().getOut().printf("sae layer %s: fvu %.4f  L0 %.1f  dead %.3f  delta CE %.4f%n",
            e.getKey(), s.fvu(), s.l0(), s.deadFraction(), s.deltaCe());
      }
      if (real != null) {
        spec.commandLine().getOut().println("held-out real sets (" + data + "):");
        EvalRefusalCommand.print(spec.commandLine().getOut(), real);
      }
      return 0;
    }
  }

  /** {@code organism export}. */
  @Command(name = "export",
      description = "Copy a trained organism (model, tokenizer, SAEs, reports) into a folder with its file manifest.")
  static final class Export implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "Directory written by organism train.")
    Path from;

    @Option(names = "--to", required = true, description = "Destination, e.g. extractor/src/main/resources/refusallens/organism.")
    Path to;

    @Override
    public Integer call() {
      Organism.export(from, to);
      System.err.println("organism: exported " + from + " to " + to);
      return 0;
    }
  }
}
