package refusallens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.PlainText;
import refusallens.eval.judge.Judge;
import refusallens.eval.organism.OrganismEvaluator;
import refusallens.eval.report.EvalReport;
import refusallens.lens.Lens;
import refusallens.organism.Organism;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;
import refusallens.refusal.DiscoveryData;
import refusallens.refusal.FeaturesFile;
import refusallens.report.HtmlReport;

/** {@code refusal-lens eval ...}: does a feature set causally mediate refusal? Clamping, suppression, comparisons. */
@Command(
    name = "eval",
    description = "Clamping evaluation: jailbreak and refusal scores, coherence, harm-to-refusal suppression, method comparison.",
    subcommands = {EvalClampCommand.class, EvalSuppressionCommand.class, EvalCompareCommand.class,
        EvalSuffixCommand.class, EvalTransferCommand.class, EvalRefusalCommand.class})
public final class EvalCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** The plain text on which the commands that measure coherence also measure it. */
  static final class TextOption {
    @Option(names = "--text", paramLabel = "FILE",
        description = "Plain text for coherence (no chat template; CE over every token after the first): one text per"
            + " line, or JSONL with a \"text\" field. Default: as many of the built-in generator's reference answers"
            + " to held-out (test split) harmless requests as --harmless, drawn by --seed.")
    Path text;

    /** The texts: the file's, else {@code n} reference answers for {@code seed}. */
    List<String> texts(long seed, int n) {
      return text != null ? PlainText.read("--text", text) : PlainText.referenceAnswers(seed, n);
    }

    /** Where the texts come from, for the report. */
    String source(long seed, int n) {
      return text != null ? text.toString() : "builtin reference answers (test split, seed " + seed + ", first " + n + ")";
    }

    /** Adds the plain-text source, count and hash to a report root. */
    static void describe(ObjectNode root, String source, List<String> texts) {
      ObjectNode t = root.putObject("text");
      t.put("source", source);
      t.put("n", texts.size());
      t.put("sha256", refusallens.core.io.ContentHash.ofText(String.join("\n", texts)));
    }
  }

  /** The options every eval subcommand shares: the feature inputs, generation, judge, output. */
  static final class Common extends FeatureInputOptions {
    static final String REPORT_JSON = "report.json";
    static final String REPORT_HTML = "report.html";

    @Mixin GenerationOptions generation;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default ${DEFAULT-VALUE}, as study and probes).")
    long seed;

    @Mixin JudgeOption judgeOption;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for report.json and report.html.")
    Path out;

    @Mixin JsonOption jsonOption;

    @Mixin ForceOption forceOption;

    /**
     * Opens --out as the output of {@code refusal-lens eval <name>} (report kind {@code eval-<name>}): refused,
     * before any work, when it holds files that command did not write (unless --force; they are kept).
     */
    OutputDir output(String name) {
      OutputKind kind = OutputKind.recognisedBy("eval " + name, REPORT_JSON, "eval-" + name, List.of(REPORT_JSON, REPORT_HTML));
      return OutputDir.open(out, "--out", kind, forceOption.force, List.of(REPORT_JSON, REPORT_HTML));
    }

    /** Writes report.json and report.html into {@code dir}, recorded as its own. */
    static void writeReport(OutputDir dir, ObjectNode root, HtmlReport html) {
      dir.claim(REPORT_JSON, REPORT_HTML);
      EvalReport.write(dir.dir(), root, html);
      dir.commit(REPORT_JSON, REPORT_HTML);
    }

    /** Opens model, tokenizer, SAEs and features. */
    EvalContext open() {
      Opened o = openFeatures();
      Judge judge = judge();
      EvalReport.RunProvenance prov = EvalReport.provenance(o.modelDir(), o.lens().saeDirs(), o.featuresFile(), seed,
          judge.name());
      return new EvalContext(o.lens(), o.features(), judge, generation.maxNewTokens, generation.batchSize, seed,
          new ConsoleProgress(System.err), prov);
    }

    /** The judge named by --judge. */
    Judge judge() {
      return judgeOption.open();
    }

    /** Held-out prompts of {@code label}: the organism's test split, else the built-in generator's held-out ones. */
    List<Prompt> prompts(EvalContext ctx, Label label, int n) {
      return heldOutPrompts(ctx.modelDir(), label, n, seed);
    }

    /** Held-out prompts of {@code label} for the model in {@code dir} (see {@link #prompts}); also 'features show'. */
    static List<Prompt> heldOutPrompts(Path dir, Label label, int n, long seed) {
      if (Files.isRegularFile(dir.resolve("organism-run.json"))) {
        return OrganismEvaluator.testPrompts(dir, label, n);
      }
      DiscoveryData d = DiscoveryData.builtin(seed + 1, n);
      List<Prompt> all = label == Label.HARMFUL ? d.harmfulVal() : d.harmlessVal();
      return OrganismEvaluator.head(all, n);
    }

    /** Adds the dataset hashes to a report root. */
    static void datasets(ObjectNode root, Map<String, List<Prompt>> sets) {
      ObjectNode d = root.putObject("datasets");
      new TreeMap<>(sets).forEach((k, v) -> {
        ObjectNode o = d.putObject(k);
        o.put("n", v.size());
        o.put("sha256", EvalReport.datasetHash(v));
      });
    }
  }

  /**
   * The model, tokenizer, SAEs and features.json that {@code --model}, {@code --sae} and {@code --features} name
   * (defaults: the embedded organism, its saes/ folder, features.json in the model directory), checked against
   * each other: the one place the commands that read F* open them.
   */
  record Opened(Lens lens, Path featuresFile, FeaturesFile features) {
    static Opened of(Path model, List<String> sae, Path features) {
      Path modelDir = Organism.modelOrDefault(model);
      Path featuresFile = featuresFile(features, modelDir);
      FeaturesFile f = FeaturesFile.read(featuresFile);
      Lens lens = Lens.open(modelDir).withSaesOrDefault(sae);
      f.requireCompatible(lens.saes(), lens.model().config().shape().dModel(), lens.model().config().shape().vocabSize(), featuresFile);
      return new Opened(lens, featuresFile, f);
    }

    Path modelDir() {
      return lens.modelDir();
    }

    /** The features file: {@code --features}, else features.json in the model directory; it must exist. */
    static Path featuresFile(Path features, Path modelDir) {
      Path f = features != null ? features : modelDir.resolve("features.json");
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException("--features: " + f
            + " does not exist (run 'refusal-lens features find --out FILE' and pass --features FILE)");
      }
      return f;
    }
  }
}
