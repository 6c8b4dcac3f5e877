package refusallens.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.files.Json;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.progress.Progress;
import refusallens.eval.judge.RefusalPhraseJudge;
import refusallens.refusal.DirectionPositions;
import refusallens.refusal.DiscoveryData;
import refusallens.refusal.DiscoveryOptions;
import refusallens.refusal.FeatureDiscovery;
import refusallens.refusal.FeaturesFile;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.dashboard.FeatureCard;
import refusallens.eval.dashboard.FeatureDashboard;
import refusallens.eval.dashboard.FeatureDashboardPage;
import refusallens.eval.dashboard.NeuronpediaList;
import refusallens.lens.Lens;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;

/** {@code refusal-lens features ...}: find the SAE features that mediate refusal. */
@Command(
    name = "features",
    description = "Refusal features: the refusal direction, CosSim F0, attribution-patching F*, harm vs refusal roles.",
    subcommands = {FeaturesCommand.Find.class, FeaturesCommand.Show.class, FeaturesCommand.Export.class})
public final class FeaturesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code refusal-lens features find}: V*_R, F0, F*, roles and baselines into features.json. */
  @Command(
      name = "find",
      description = {
        "Find the refusal direction V*_R (difference in means, layer chosen by validation), the K0 features per SAE"
            + " layer closest to it (F0), and the K* features of F0 with the largest integrated-gradients attribution"
            + " when V*_R is ablated (F*); split F* into harm and refusal features; write features.json with the"
            + " baselines (steering, CosSim, AP only, ActDiff, random) and the measured effects.",
        "Prints a table of F* (layer, index, role, attribution)."
      })
  static final class Find implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin ModelDirOption modelOption;

    @CommandLine.Mixin SaeOption saeOption;

    @Option(names = "--data", paramLabel = "builtin|DIR", defaultValue = "builtin",
        description = "Prompts: the built-in generator, or a dataset directory (harmful_/harmless_ train/val JSONL, or train.jsonl + val.jsonl). Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--k0", defaultValue = "10", description = "Features per SAE layer kept by cosine with V*_R (F0). Default: ${DEFAULT-VALUE}.")
    int k0;

    @Option(names = "--kstar", defaultValue = "20", description = "Features kept by attribution (F*). Default: ${DEFAULT-VALUE}.")
    int kStar;

    @Option(names = "--steps", defaultValue = "10", description = "Integrated-gradients steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--layer", paramLabel = "L", description = "Use layer L's direction as V*_R (every layer is still scored).")
    Integer layer;

    @Option(names = "--n", defaultValue = "32", description = "Prompts per label for the direction, the validation and the attribution. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (built-in prompts, random baseline). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--positions", defaultValue = "each-post-instruction",
        paramLabel = "each-post-instruction|last|post-instruction",
        description = "Where the candidate directions are taken: one per post-instruction position (Arditi et al.), the last token, or the post-instruction mean. Default: ${DEFAULT-VALUE}.")
    String positions;

    @Option(names = {"--refusal-opener", "--refusal-token"}, paramLabel = "TEXT",
        description = "A refusal answer whose first token (tokenized after the assistant header) joins the refusal token set, besides the first tokens of the model's judged refusals; repeat for several. Default: the usual openers (I'm sorry, I cannot, As an AI, Unfortunately, ...).")
    List<String> refusalOpeners;

    @Option(names = "--batch-size", defaultValue = "8", description = "Prompts per forward/backward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--clamp-scale", defaultValue = "-3", description = "c of the F* clamp whose effect is measured. Default: ${DEFAULT-VALUE}.")
    double clampScale;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write features.json.")
    Path out;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      if (modelOption.model != null && saeOption.sae.isEmpty()) {
        throw new IllegalArgumentException("--sae is required with --model (the organism's SAEs fit only the organism)");
      }
      Path modelDir = modelOption.dir();
      List<String> saeSpecs = saeOption.sae.isEmpty() ? List.of(Organism.saeOrDefault(null).toString()) : saeOption.sae;
      DiscoveryOptions options = new DiscoveryOptions(k0, kStar, steps, n, seed,
          layer == null ? OptionalInt.empty() : OptionalInt.of(layer), DirectionPositions.parse(positions),
          refusalOpeners == null || refusalOpeners.isEmpty() ? DiscoveryOptions.DEFAULT_REFUSAL_OPENERS : refusalOpeners,
          batchSize, clampScale);
      DiscoveryData prompts = "builtin".equals(data) ? DiscoveryData.builtin(seed, n) : DiscoveryData.directory(Path.of(data));
      Lens lens = Lens.open(modelDir).withSaes(saeSpecs);
      Transformer m = lens.model();
      Tokenizer tok = lens.tokenizer();
      SaeSet saes = lens.saes();
      FeaturesFile f;
      // SameDiff's "Added differentiated op" lines are dropped for every command (RefusalLens.newCommandLine)
      try (ConsoleProgress progress = new ConsoleProgress(System.err)) {
        RefusalPhraseJudge judge = RefusalPhraseJudge.standard();
        f = new FeatureDiscovery(m, tok, saes, options, c -> judge.judge("", c).refused(), progress)
            .run(prompts, new FeatureDiscovery.Inputs(modelDir, lens.saeDirs()));
      }
      f.write(out);
      print(f, spec.commandLine().getOut());
      return 0;
    }

    /** The summary printed with {@code --json}. */
    @JsonPropertyOrder({"out", "layer", "position", "norm", "selectedBy", "fallback", "reason", "refusalTokens", "features",
        "effects"})
    record Summary(String out, int layer, Integer position, double norm, String selectedBy, boolean fallback, String reason,
        List<String> refusalTokens, List<Row> features, FeaturesFile.Effects effects) {}

    /** One F* row of the summary. */
    @JsonPropertyOrder({"layer", "index", "role", "attribution", "cosine"})
    record Row(int layer, int index, String role, double attribution, double cosine) {}

    private void print(FeaturesFile f, java.io.PrintWriter ps) throws Exception {
      List<Row> rows = f.features().stream()
          .map(x -> new Row(x.layer(), x.index(), x.role().wireName(), x.attribution(), x.cosine())).toList();
      FeaturesFile.Direction d = f.refusalDirection();
      if (jsonOption.json) {
        Summary s = new Summary(out.toString(), d.layer(), d.selection().position(), d.norm(), d.selection().selectedBy(),
            d.selection().fallback(), d.selection().reason(), f.settings().refusalTokens(), rows, f.effects());
        CliJson.print(ps, s);
        return;
      }
      ps.printf("refusal score without intervention: harmful %.3f, harmless %.3f%n",
          d.selection().baselineHarmfulRefusalScore(), d.selection().baselineHarmlessRefusalScore());
      ps.printf("refusal tokens: %s%n", f.settings().refusalTokens());
      ps.printf("%4s %5s %9s %13s %10s %13s  %s%n", "pos", "layer", "norm", "ablated-harm", "KL-harmls", "steered-harmls", "excluded");
      for (var c : d.selection().candidates()) {
        ps.printf("%4s %5d %9.4g %13.3f %10.4f %13.3f  %s%n", c.position() == null ? "mean" : c.position(), c.layer(),
            c.norm(), c.ablationRefusalScore(), c.harmlessKl(), c.steeringRefusalScore(),
            c.excludedBecause() == null ? "" : c.excludedBecause());
      }
      ps.printf("V*_R: layer %d, position %s, norm %.4g (%s)%n", d.layer(), d.selection().position(), d.norm(),
          d.selection().selectedBy());
      ps.printf("%5s %7s %-8s %12s %8s%n", "layer", "index", "role", "attribution", "cosine");
      for (Row r : rows) {
        ps.printf("%5d %7d %-8s %12.5g %8.4f%n", r.layer(), r.index(), r.role(), r.attribution(), r.cosine());
      }
      FeaturesFile.Effects e = f.effects();
      if (e != null) {
        ps.printf("refusal score on %d prompts: baseline %.3f, V*_R ablated %.3f, F* clamped (c=%s) %s%n", e.prompts(),
            e.baseline(), e.directionAblated(), e.clampScale(), e.fStarClamped() == null ? "-" : String.format("%.3f", e.fStarClamped()));
      }
      ps.printf("wrote %s%n", out);
    }
  }


  /** {@code refusal-lens features show}: one dashboard card per F* feature in index.html and cards.json. */
  @Command(
      name = "show",
      description = {
        "Write a dashboard card per F* feature into DIR/index.html (one self-contained page) and DIR/cards.json: the"
            + " top-activating held-out prompts with the activating token highlighted in +/-" + FeatureDashboard.CONTEXT
            + " tokens of context, histograms of each prompt's maximum activation on harmful vs harmless prompts, the"
            + " tokens its decoder direction promotes and suppresses (W_dec . W_U, top and bottom "
            + FeatureDashboard.LOGIT_TOKENS + "), its layer, role, cosine with V*_R and attribution.",
        "Prompts: the model's held-out (test split) prompts, as the eval commands choose them."
      })
  static final class Show extends FeatureInputOptions implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    static final String INDEX = FeatureDashboardPage.INDEX;
    static final String CARDS = FeatureDashboardPage.CARDS;
    static final OutputKind OUTPUT = new OutputKind("features show", d -> List.of());

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the built-in prompts where the model has no test split (default ${DEFAULT-VALUE}, as eval).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write index.html and cards.json.")
    Path out;

    @CommandLine.Mixin ForceOption forceOption;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      if (harmful < 1 || harmless < 1) {
        throw new IllegalArgumentException("--harmful and --harmless must be >= 1");
      }
      Path modelDir = modelOption.dir();
      EvalCommand.Opened o = openFeatures();
      OutputDir dir = OutputDir.open(out, "--out", OUTPUT, forceOption.force, List.of(INDEX, CARDS));
      Path featuresFile = o.featuresFile();
      List<Prompt> harm = EvalCommand.Common.heldOutPrompts(modelDir, Label.HARMFUL, harmful, seed);
      List<Prompt> safe = EvalCommand.Common.heldOutPrompts(modelDir, Label.HARMLESS, harmless, seed);
      List<FeatureCard> cards = new FeatureDashboard(o.lens().model(), o.lens().tokenizer(), o.lens().saes()).cards(o.features(), harm, safe);
      String cardsJson = Json.write(cards);
      dir.claim(INDEX, CARDS);
      java.nio.file.Files.writeString(dir.resolve(CARDS), cardsJson + "\n");
      FeatureDashboardPage.render(cards, featuresFile.getFileName() + " (" + harm.size() + " harmful, " + safe.size()
          + " harmless held-out prompts)").write(dir.resolve(INDEX));
      dir.commit(INDEX, CARDS);
      if (jsonOption.json) {
        spec.commandLine().getOut().println(cardsJson);
      } else {
        spec.commandLine().getOut().printf("%d feature cards; wrote %s and %s%n", cards.size(), dir.resolve(INDEX), dir.resolve(CARDS));
      }
      return 0;
    }
  }

  /** {@code refusal-lens features export}: the F* list in Neuronpedia's list format. */
  @Command(
      name = "export",
      description = "Write the F* features as a Neuronpedia list (the quick-list's modelId/layer/index entries), with each"
          + " feature's Neuronpedia page (https://www.neuronpedia.org/MODEL-ID/LAYER-SAE-SET/INDEX) and a quick-list link."
          + " Only meaningful for SAEs Neuronpedia hosts (GemmaScope, LlamaScope), e.g. --model-id gemma-2-2b"
          + " --sae-set gemmascope-res-16k.")
  static final class Export implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "neuronpedia", description = "Export format: neuronpedia.")
    String format;

    @Option(names = "--features", paramLabel = "FILE", description = "features.json of 'features find' (default: the embedded organism's).")
    Path features;

    @Option(names = "--model-id", required = true, paramLabel = "ID", description = "Neuronpedia model id, e.g. gemma-2-2b.")
    String modelId;

    @Option(names = "--sae-set", required = true, paramLabel = "ID", description = "Neuronpedia SAE set id (the part after 'LAYER-'), e.g. gemmascope-res-16k.")
    String saeSet;

    @Option(names = "--name", defaultValue = "refusal features (F*)", description = "List name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the list (JSON).")
    Path out;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      if (!"neuronpedia".equals(format)) {
        throw new IllegalArgumentException("--format " + format + ": the supported format is neuronpedia");
      }
      Path featuresFile = EvalCommand.Opened.featuresFile(features, Organism.modelOrDefault(null));
      NeuronpediaList list = NeuronpediaList.of(name, FeaturesFile.read(featuresFile), modelId, saeSet);
      String text = Json.write(list);
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        java.nio.file.Files.createDirectories(parent);
      }
      java.nio.file.Files.writeString(out, text + "\n");
      if (jsonOption.json) {
        spec.commandLine().getOut().println(text);
      } else {
        spec.commandLine().getOut().printf("%d features; wrote %s%n", list.features().size(), out);
      }
      return 0;
    }
  }
}
