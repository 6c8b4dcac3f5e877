package refusallens.eval.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.bundle.DatasetBundle;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.split.Split;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.PlainText;
import refusallens.eval.dashboard.FeatureCard;
import refusallens.eval.dashboard.FeatureDashboard;
import refusallens.eval.dashboard.FeatureDashboardPage;
import refusallens.eval.judge.RefusalPhraseJudge;
import refusallens.eval.judge.TaskJudge;
import refusallens.eval.report.EvalReport;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.ActivationStoreWriter;
import refusallens.refusal.extract.Extraction;
import refusallens.refusal.extract.Identity;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.StoreHeader;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.files.Json;
import refusallens.lens.Lens;
import refusallens.lens.LensOptions;
import refusallens.dev.ExtractBenchmark;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.organism.OrganismBudget;
import refusallens.organism.OrganismTrainer;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;
import refusallens.probes.report.ProbeCompare;
import refusallens.probes.text.PromptTexts;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.LogisticProbe;
import refusallens.probes.train.MlpProbe;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeTrainer;
import refusallens.progress.Progress;
import refusallens.core.io.ContentHash;
import refusallens.refusal.DirectionPositions;
import refusallens.refusal.DiscoveryData;
import refusallens.refusal.DiscoveryOptions;
import refusallens.refusal.FeatureDiscovery;
import refusallens.refusal.FeatureRole;
import refusallens.refusal.FeaturesFile;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * {@code refusal-lens study}: the whole refusal study (datasets, extraction, V*_R and F*, FH, FR, clamping,
 * probes raw vs disentangled and ID vs OOD) into one output directory, one report. Every step leaves a
 * {@link StepMarker}; a re-run reuses each step whose marker and outputs are intact and recomputes the rest.
 * Right after the datasets, the {@code refusal} step completes a few harmful and harmless prompts without any
 * intervention and applies {@link RefusalCheck}: when the model does not refuse, the steps whose findings would be
 * void are not computed (unless {@link StudyOptions#runVoidSteps()}) and the report says which and why.
 */
public final class Study {
  /** The steps in order (their marker names). */
  public static final List<String> STEPS =
      List.of("organism", "datasets", "refusal", "extract", "features", "dashboards", "clamp", "suppression", "suffix",
          "probes");
  /** The refusal step's artefact: the unintervened completions' counts ({@link RefusalCheck}). */
  static final String REFUSAL_CHECK = "eval/refusal_check.json";
  private static final String REPORT_JSON = "report.json";
  private static final String REPORT_HTML = "report.html";
  /** Where the F* dashboard cards go: {@code features show}'s index.html and cards.json. */
  public static final String DASHBOARDS = "dashboards";
  /** Everything a study writes into its --out (checked for foreign files before any work). */
  static final List<String> OUTPUTS = List.of("organism", "bundle", "extract", "features.json", DASHBOARDS, "eval",
      "probes", "probe.json", "steps", REPORT_JSON, REPORT_HTML);
  /** A study's output directory; one from before ownership records is recognised by its step markers. */
  public static final OutputKind OUTPUT = new OutputKind("study", Study::legacyOutputs);
  /** Last prompt positions where FR is measured in the suppression analysis. */
  static final int SUPPRESSION_LAST = 5;

  static final ObjectMapper JSON = Json.MAPPER;

  /** What a step did in this run. */
  public enum Status { COMPUTED, REUSED, NOT_RUN, VOID_SKIPPED }

  /**
   * One step's record in this run: wall and process CPU seconds, and the process's peak RSS (VmHWM) when it ended
   * (as recorded by its marker when reused; 0 where not measured).
   */
  public record StepRun(String step, Status status, double seconds, double cpuSeconds, long peakRssBytes, String reason) {
    /** A record without cost figures. */
    public StepRun(String step, Status status, double seconds, String reason) {
      this(step, status, seconds, 0, 0, reason);
    }
  }

  private final StudyOptions options;
  private final StudyOptions.Sizes sizes;
  private final Progress progress;
  private final Consumer<String> beforeStep;
  private final Path out;
  private final Map<String, StepRun> runs = new LinkedHashMap<>();
  private final Map<String, StepMarker> markers = new LinkedHashMap<>();
  /** Whether the running step is recomputed because its inputs changed (not resumed after a crash). */
  private boolean inputsChanged;
  /** What the running step's body found and repaired (into its StepRun reason). */
  private final List<String> notes = new ArrayList<>();
  private OutputDir owner;
  private Path modelDir;
  private List<String> saeSpecs;
  private String modelHash;
  private Lens lens;
  private Transformer model;
  private Tokenizer tokenizer;
  private SaeSet saes;

  /**
   * @param beforeStep called with each step's name before it is computed (not when reused); tests use it
   *     to interrupt a run
   */
  public Study(StudyOptions options, Progress progress, Consumer<String> beforeStep) {
    this.options = options;
    this.sizes = options.sizes();
    this.progress = progress;
    this.beforeStep = beforeStep;
    this.out = options.out().toAbsolutePath().normalize();
  }

  /** Runs (or reuses) every step, writes report.json and report.html, and returns the report. */
  public StudyReport run() {
    owner = OutputDir.open(options.out(), "--out", OUTPUT, options.force(), OUTPUTS);
    resolveModel();
    Path bundle = datasets();
    RefusalCheck check = refusal(bundle);
    boolean skipVoid = !check.refuses() && !options.runVoidSteps();
    extract(bundle, !skipVoid); // the jailbroken flags serve only the probes: not judged when those are skipped
    StudyReport report;
    if (skipVoid) {
      progress.log("the model does not refuse (" + check.reason() + "): the void steps are skipped"
          + " (--run-void-steps computes them anyway)");
      for (String step : VOID_SKIPPED) {
        runs.put(step, new StepRun(step, Status.VOID_SKIPPED, 0, voidReason(check, step)));
      }
      report = StudyReport.buildWithoutRefusal(out, options, runs, modelDir, saeSpecs, modelHash, check);
    } else {
      features(bundle);
      dashboards(bundle);
      clamp(bundle);
      suppression(bundle);
      suffix(bundle);
      probes(bundle);
      report = StudyReport.build(out, options, runs, modelDir, saeSpecs, modelHash);
    }
    owner.claim(REPORT_JSON, REPORT_HTML);
    report.write(out);
    owner.commit(REPORT_JSON, REPORT_HTML);
    return report;
  }

  /** The steps as run (in order). */
  public Map<String, StepRun> runs() {
    return runs;
  }

  // ---- step 0: the model (the embedded organism, trained here when this build does not ship it)

  private void resolveModel() {
    if (options.model() != null) {
      modelDir = options.model().toAbsolutePath().normalize();
      saeSpecs = options.saes();
      runs.put("organism", new StepRun("organism", Status.NOT_RUN, 0, "--model given"));
    } else {
      Path shipped = null;
      try {
        shipped = Organism.defaultModelDir();
      } catch (IllegalStateException missing) {
        progress.log("the embedded organism is not in this build: using (or training) one in " + out.resolve("organism"));
      }
      if (shipped != null) {
        modelDir = shipped;
        runs.put("organism", new StepRun("organism", Status.NOT_RUN, 0, "the embedded organism is shipped"));
      } else {
        OrganismBudget budget = options.quick() ? OrganismBudget.TINY : OrganismBudget.SMALL;
        step("organism", "budget=" + budget.wireName() + ",seed=" + options.seed(), List.of("organism"), () ->
            new OrganismTrainer(new OrganismTrainer.Options(out.resolve("organism"), options.seed(), budget)).run());
        modelDir = out.resolve("organism");
      }
      saeSpecs = List.of(modelDir.resolve("saes").toString());
    }
    progress.log("hashing the model and SAEs");
    List<String> parts = new ArrayList<>();
    parts.add(ContentHash.ofDirectory(modelDir));
    for (String s : saeSpecs) {
      parts.add(s + "=" + ContentHash.ofDirectory(SaeSet.Source.parse(s).dir()));
    }
    modelHash = ContentHash.ofText(String.join(",", parts));
  }

  private void loadModel() {
    if (model == null) {
      lens = Lens.open(modelDir, LensOptions.defaults().withResidency(options.residency())).withSaes(saeSpecs);
      model = lens.model();
      tokenizer = lens.tokenizer();
      saes = lens.saes();
    }
  }

  // ---- step 1: datasets

  private Path datasets() {
    if (!"builtin".equals(options.data())) {
      Path dir = Path.of(options.data()).toAbsolutePath().normalize();
      if (DatasetBundle.isPublicLayout(dir)) {
        // real public prompts: the bundle is built from them (and the real jailbreak artifacts) into out/bundle
        String inputs = "public=" + dir + ",seed=" + options.seed() + ",perLabel=" + sizes.perLabel();
        step("datasets", inputs, List.of("bundle"),
            () -> DatasetBundle.fromPublic(dir, options.seed(), sizes.perLabel(), out.resolve("bundle")));
        return out.resolve("bundle");
      }
      if (!Files.isRegularFile(dir.resolve("harmful_train.jsonl"))) {
        throw new IllegalArgumentException("--data " + options.data()
            + ": expected builtin, a bundle directory with harmful_/harmless_{train,val,test}.jsonl (datasets make --out)"
            + " or public sets in the upstream layout (refusal_direction/splits/harmful_train.json ...; README, 'Public datasets')");
      }
      runs.put("datasets", new StepRun("datasets", Status.NOT_RUN, 0, "--data " + dir + " given"));
      markers.put("datasets", StepMarker.of(dir, "datasets", "", bundleFiles(dir), 0));
      return dir;
    }
    GeneratorOptions g = new GeneratorOptions(options.seed(), sizes.perLabel(), 0.15, 0.15, sizes.instructions());
    step("datasets", g.toString(), List.of("bundle"), () -> DatasetBundle.make(g, out.resolve("bundle")));
    return out.resolve("bundle");
  }

  /** Where the study's prompts are: its own bundle (built-in or built from public sets) or the given bundle. */
  static Path bundleDir(Path out, StudyOptions options) {
    if ("builtin".equals(options.data())) {
      return out.resolve("bundle");
    }
    Path dir = Path.of(options.data()).toAbsolutePath().normalize();
    return DatasetBundle.isPublicLayout(dir) ? out.resolve("bundle") : dir;
  }

  static List<String> bundleFiles(Path dir) {
    List<String> files = new ArrayList<>();
    for (Label l : Label.values()) {
      for (Split s : Split.values()) {
        files.add(DatasetBundle.fileName(l, s));
      }
    }
    if (Files.isRegularFile(dir.resolve(DatasetBundle.OOD_FILE))) {
      files.add(DatasetBundle.OOD_FILE);
    }
    return files;
  }

  // ---- step 1b: does the model refuse at all? (cheap: a few greedy completions, no intervention)

  /** The steps not computed for a model that does not refuse: RefusalCheck's void steps and the dashboards of F*. */
  static final List<String> VOID_SKIPPED = List.of("features", "dashboards", "clamp", "suppression", "suffix", "probes");

  /** Why {@code step} was skipped: its RefusalCheck reason, or (the dashboards) the void step it needs. */
  static String voidReason(RefusalCheck check, String step) {
    String why = check.voidSteps().stream().filter(v -> v.step().equals(step)).map(RefusalCheck.VoidStep::why)
        .findFirst().orElse("it shows the F* of the void features step");
    return "void, not computed: the model does not refuse (" + check.reason() + "); " + why;
  }

  /**
   * The unintervened greedy completions of the clamp step's harmful and harmless test prompts, judged as the clamp
   * step judges its baseline (the task judge): the counts {@link RefusalCheck} decides on.
   */
  private RefusalCheck refusal(Path bundle) {
    String inputs = "model=" + modelHash + ",data=" + markers.get("datasets").outputsHash() + ",n=" + sizes.clampN()
        + ",tokens=" + sizes.maxNewTokens() + ",batch=" + sizes.batch() + ",judge=" + TaskJudge.standard().name();
    step("refusal", inputs, List.of(REFUSAL_CHECK), () -> {
      loadModel();
      RefusalEvaluation judged = new RefusalEvaluation(model, tokenizer, TaskJudge.standard(), sizes.maxNewTokens(), sizes.batch());
      List<RefusalEvaluation.Judged> harmful = judged.run(testPrompts(bundle, Label.HARMFUL), Hooks.none(), progress,
          "refusal check (harmful)");
      List<RefusalEvaluation.Judged> harmless = judged.run(testPrompts(bundle, Label.HARMLESS), Hooks.none(), progress,
          "refusal check (harmless)");
      RefusalCheck c = RefusalCheck.of(refusedCount(harmful), harmful.size(), refusedCount(harmless), harmless.size());
      writeJson(out.resolve(REFUSAL_CHECK), c);
    });
    RefusalCheck c = RefusalCheck.read(out.resolve(REFUSAL_CHECK));
    progress.log("refusal check: " + (c.refuses() ? "the model refuses: " : "the model does not refuse: ") + c.reason());
    return c;
  }

  private static int refusedCount(List<RefusalEvaluation.Judged> judged) {
    return (int) judged.stream().filter(j -> j.verdict().refused()).count();
  }

  // ---- step 2: activations of plain and adversarial prompts

  /** Plain train/val/test prompts of both labels, then up to {@code oodPerAttack} variants per attack (labels balanced). */
  List<Prompt> extractionPrompts(Path bundle) {
    List<Prompt> prompts = new ArrayList<>();
    for (Split s : Split.values()) {
      for (Label l : Label.values()) {
        prompts.addAll(PromptJsonl.read(bundle.resolve(DatasetBundle.fileName(l, s))));
      }
    }
    Path ood = bundle.resolve(DatasetBundle.OOD_FILE);
    if (Files.isRegularFile(ood)) {
      Map<String, Map<Label, List<Prompt>>> byAttack = new TreeMap<>();
      for (Prompt p : PromptJsonl.read(ood)) {
        byAttack.computeIfAbsent(p.attack(), k -> new TreeMap<>()).computeIfAbsent(p.label(), k -> new ArrayList<>()).add(p);
      }
      for (Map<Label, List<Prompt>> byLabel : byAttack.values()) {
        int each = Math.max(1, sizes.oodPerAttack() / 2);
        for (List<Prompt> ps : byLabel.values()) {
          prompts.addAll(ps.subList(0, Math.min(each, ps.size())));
        }
      }
    }
    return prompts;
  }

  /**
   * @param judgeAttacks whether to complete and judge the harmful adversarial prompts for their jailbroken flags (the
   *     probes' jailbroken subsets); false when the probes are skipped as void, and then a later run that computes
   *     the probes recomputes this step with the flags
   */
  private void extract(Path bundle, boolean judgeAttacks) {
    String inputs = "model=" + modelHash + ",data=" + markers.get("datasets").outputsHash() + ",ood=" + sizes.oodPerAttack()
        + ",batch=" + sizes.batch() + ",seed=" + options.seed()
        + (judgeAttacks ? ",jailbroken=phrases/" + sizes.maxNewTokens() : ",jailbroken=not-judged");
    step("extract", inputs, List.of("extract"), () -> {
      loadModel();
      List<Prompt> prompts = extractionPrompts(bundle);
      List<Integer> layers = IntStream.range(0, model.config().shape().numLayers()).boxed().toList();
      Extraction extraction = new Extraction(model, tokenizer, saes, new Extraction.Options(
          layers, List.of(PositionRule.LAST), Extraction.SaeFeatures.ALL, sizes.batch(), options.seed()));
      StoreHeader header = new StoreHeader(Extraction.modelIdentity(modelDir),
          Extraction.saeIdentity(saeSpecs.stream().map(SaeSet.Source::parse).toList()),
          new Identity(bundle.getFileName().toString(), markers.get("datasets").outputsHash()),
          extraction.tensors(), options.seed(), null, versions());
      Path dir = out.resolve("extract");
      if (inputsChanged) { // e.g. now with the jailbroken flags: a store of other inputs must not be resumed
        owner.delete("extract");
      }
      ActivationStoreWriter writer;
      try {
        writer = ActivationStoreWriter.open(dir, header); // resumes a store of the same header
      } catch (RuntimeException other) {
        progress.log("extract: the store in " + dir + " does not match (" + other.getMessage() + "); starting over");
        notes.add("the store did not match (" + other.getMessage() + "): started over");
        owner.delete("extract");
        writer = ActivationStoreWriter.open(dir, header);
      }
      for (String repair : writer.repairs()) {
        progress.log("extract: " + repair);
        notes.add(repair);
      }
      if (judgeAttacks) {
        extraction.withJailbrokenFlags(jailbrokenFlags(prompts));
      } else {
        notes.add("the attacks' jailbroken flags were not judged: the probes that use them are void");
      }
      extraction.run(prompts, writer, progress);
    });
  }

  /**
   * Whether the model's own greedy completion of each harmful adversarial prompt answered it (the task judge's
   * complied: not merely free of refusal phrases): the probes' "jailbroken" OOD subsets (the harm the model missed).
   */
  private Map<String, Boolean> jailbrokenFlags(List<Prompt> prompts) {
    List<Prompt> adversarial = prompts.stream().filter(p -> p.attack() != null && p.label() == Label.HARMFUL).toList();
    RefusalEvaluation judged = new RefusalEvaluation(model, tokenizer, TaskJudge.standard(), sizes.maxNewTokens(), sizes.batch());
    Map<String, Boolean> out = new HashMap<>();
    for (RefusalEvaluation.Judged j : judged.run(adversarial, Hooks.none(), progress, "judge attacks")) {
      out.put(j.prompt().id(), j.verdict().complied());
    }
    return out;
  }

  // ---- step 3: V*_R, F0, F*, FH/FR

  private void features(Path bundle) {
    DiscoveryOptions d = new DiscoveryOptions(sizes.k0(), sizes.kStar(), sizes.igSteps(), sizes.discoveryN(), options.seed(),
        OptionalInt.empty(), DirectionPositions.EACH_POST_INSTRUCTION, DiscoveryOptions.DEFAULT_REFUSAL_OPENERS, sizes.batch(),
        StudyEvaluation.CLAMP_SCALE);
    String inputs = "model=" + modelHash + ",data=" + markers.get("datasets").outputsHash() + "," + d;
    step("features", inputs, List.of("features.json"), () -> {
      loadModel();
      RefusalPhraseJudge judge = RefusalPhraseJudge.standard();
      FeaturesFile f = new FeatureDiscovery(model, tokenizer, saes, d, c -> judge.judge("", c).refused(), progress)
          .run(DiscoveryData.directory(bundle),
          new FeatureDiscovery.Inputs(modelDir, saeSpecs.stream().map(s -> SaeSet.Source.parse(s).dir()).toList()));
      f.write(out.resolve("features.json"));
    });
  }

  // ---- step 3b: one dashboard card per F* feature, as 'features show' writes them

  private void dashboards(Path bundle) {
    String inputs = "model=" + modelHash + ",data=" + markers.get("datasets").outputsHash() + ",features="
        + markers.get("features").outputsHash() + ",n=" + sizes.clampN();
    List<String> files = List.of(DASHBOARDS + "/" + FeatureDashboardPage.INDEX, DASHBOARDS + "/" + FeatureDashboardPage.CARDS);
    step("dashboards", inputs, files, () -> {
      loadModel();
      FeaturesFile f = FeaturesFile.read(out.resolve("features.json"));
      List<Prompt> harmful = testPrompts(bundle, Label.HARMFUL);
      List<Prompt> harmless = testPrompts(bundle, Label.HARMLESS);
      List<FeatureCard> cards = new FeatureDashboard(model, tokenizer, saes).cards(f, harmful, harmless);
      writeJson(out.resolve(DASHBOARDS).resolve(FeatureDashboardPage.CARDS), cards);
      FeatureDashboardPage.render(cards, dashboardSource(harmful.size(), harmless.size()), "../" + REPORT_HTML)
          .write(out.resolve(DASHBOARDS).resolve(FeatureDashboardPage.INDEX));
    });
  }

  /** What the study's cards were computed from (the page's and the report section's first line). */
  static String dashboardSource(int harmful, int harmless) {
    return "features.json, on " + harmful + " harmful and " + harmless + " harmless held-out (test split) prompts";
  }

  // ---- step 4: clamping (jailbreak, refusal induction, CE, method comparison); step 5: suppression

  private EvalContext context() {
    loadModel();
    FeaturesFile f = FeaturesFile.read(out.resolve("features.json"));
    f.requireCompatible(saes, model.config().shape().dModel(), model.config().shape().vocabSize(),
        out.resolve("features.json"));
    TaskJudge judge = TaskJudge.standard();
    EvalReport.RunProvenance prov = EvalReport.provenance(modelDir,
        saeSpecs.stream().map(s -> SaeSet.Source.parse(s).dir()).toList(), out.resolve("features.json"), options.seed(), judge.name());
    return new EvalContext(lens, f, judge, sizes.maxNewTokens(), sizes.batch(), options.seed(), progress, prov);
  }

  private List<Prompt> testPrompts(Path bundle, Label label) {
    return head(PromptJsonl.read(bundle.resolve(DatasetBundle.fileName(label, Split.TEST))), sizes.clampN());
  }

  /** The bundle's harmful prompts (any split) that features.json has a per-prompt F* for. */
  private static List<Prompt> ownSetPrompts(Path bundle, FeaturesFile f) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    f.perPrompt().forEach(p -> ids.add(p.promptId()));
    List<Prompt> out = new java.util.ArrayList<>();
    for (Split split : Split.values()) {
      Path file = bundle.resolve(DatasetBundle.fileName(Label.HARMFUL, split));
      if (Files.isRegularFile(file)) {
        PromptJsonl.read(file).stream().filter(p -> ids.contains(p.id())).forEach(out::add);
      }
    }
    return out;
  }

  private void clamp(Path bundle) {
    String inputs = "model=" + modelHash + ",data=" + markers.get("datasets").outputsHash() + ",features="
        + markers.get("features").outputsHash() + "," + sizes + ",c=" + StudyEvaluation.CLAMP_SCALE + ",induce="
        + StudyEvaluation.INDUCE + ",text=reference-answers,judge=" + TaskJudge.standard().name()
        + ",outcomes,matched,controls=active,per-prompt";
    step("clamp", inputs, List.of("eval/clamp.json"), () -> {
      EvalContext ctx = context();
      int k = ctx.features().features().size();
      List<Integer> ks = options.quick() ? List.of() : List.of(Math.max(1, k / 4), Math.max(1, k / 2), k);
      List<Double> cs = options.quick() ? List.of() : List.of(-1.0, -6.0);
      List<Prompt> harmless = testPrompts(bundle, Label.HARMLESS);
      StudyEvaluation.Clamp r = StudyEvaluation.clamp(ctx, testPrompts(bundle, Label.HARMFUL), harmless,
          PlainText.referenceAnswers(options.seed(), harmless.size()), ks, cs, ownSetPrompts(bundle, ctx.features()));
      writeJson(out.resolve("eval/clamp.json"), r);
    });
  }

  private void suppression(Path bundle) {
    String inputs = "model=" + modelHash + ",data=" + markers.get("datasets").outputsHash() + ",features="
        + markers.get("features").outputsHash() + ",n=" + sizes.clampN() + ",last=" + SUPPRESSION_LAST
        + ",fr-after-fh,from-instruction,controls=active";
    step("suppression", inputs, List.of("eval/suppression.json"), () -> {
      StudyEvaluation.Suppression r = StudyEvaluation.suppression(context(), testPrompts(bundle, Label.HARMFUL), SUPPRESSION_LAST);
      writeJson(out.resolve("eval/suppression.json"), r);
    });
  }

  private void suffix(Path bundle) {
    int maxTokens = options.quick() ? 8 : 24;
    String inputs = "model=" + modelHash + ",data=" + markers.get("datasets").outputsHash() + ",features="
        + markers.get("features").outputsHash() + ",n=" + sizes.clampN() + ",last=" + SUPPRESSION_LAST + ",tokens=" + maxTokens
        + ",seed=" + options.seed();
    step("suffix", inputs, List.of("eval/suffix.json"), () -> {
      StudyEvaluation.Suffix r = StudyEvaluation.suffix(context(), testPrompts(bundle, Label.HARMFUL), SUPPRESSION_LAST, maxTokens);
      writeJson(out.resolve("eval/suffix.json"), r);
    });
  }

  /** The first {@code n} prompts, interleaving categories so a small sample covers them. */
  static List<Prompt> head(List<Prompt> list, int n) {
    Map<String, List<Prompt>> byCat = new TreeMap<>();
    list.forEach(p -> byCat.computeIfAbsent(String.valueOf(p.category()), k -> new ArrayList<>()).add(p));
    List<Prompt> outList = new ArrayList<>();
    for (int i = 0; outList.size() < Math.min(n, list.size()); i++) {
      for (List<Prompt> ps : byCat.values()) {
        if (i < ps.size() && outList.size() < n) {
          outList.add(ps.get(i));
        }
      }
    }
    return outList;
  }

  // ---- step 6: probes

  /** The views compared: {@link ProbeCompare#defaultViews} (raw at every layer, FR, FH, FH+FR, matched random, text). */
  static List<String> probeViews(ActivationStore store, FeaturesFile f) {
    return ProbeCompare.defaultViews(store, f, true);
  }

  /** The disentangled view of the verdict (FR when features.json has it): the default probe's view. */
  static String disentangledView(FeaturesFile f) {
    boolean fr = f.features().stream().anyMatch(x -> x.role() == FeatureRole.REFUSAL);
    boolean fh = f.features().stream().anyMatch(x -> x.role() == FeatureRole.HARM);
    return fr ? "fr" : fh ? "fh" : "f*";
  }

  private void probes(Path bundle) {
    List<Long> seeds = ProbeCompare.seedsFor(options.seed());
    String inputs = "extract=" + markers.get("extract").outputsHash() + ",features=" + markers.get("features").outputsHash()
        + ",data=" + markers.get("datasets").outputsHash() + ",folds=" + sizes.folds() + ",bootstrap=" + sizes.bootstrap()
        + ",seed=" + options.seed() + ",seeds=" + seeds + ",probes=v2";
    step("probes", inputs, List.of("probes", "probe.json"), () -> {
      FeaturesFile f = FeaturesFile.read(out.resolve("features.json"));
      ActivationStore store = ActivationStore.open(out.resolve("extract"));
      Map<String, String> texts = PromptTexts.read(bundle);
      PromptTexts.checkCovers(texts, store.rows(), "dataset bundle " + bundle);
      ProbeTrainer.Options train = new ProbeTrainer.Options(ProbeKind.LOGISTIC, LogisticProbe.DEFAULT_LAMBDAS, sizes.folds(),
          1.0, MlpProbe.Options.defaults(), 0.01, options.seed());
      List<String> views = probeViews(store, f);
      ProbeCompare.Options o = new ProbeCompare.Options(views, List.of(ProbeKind.LOGISTIC), DataSplit.Fractions.defaults(),
          train, sizes.bootstrap(), seeds, disentangledView(f));
      progress.start("probes", views.size() * seeds.size());
      ProbeCompare.Outcome outcome = ProbeCompare.run(store, f, out.resolve("features.json").toString(), texts, o, line -> {
        progress.detail(line); // one per view and seed: on the bar, not a line each in a log
        progress.step(1);
      });
      progress.finish();
      Path dir = out.resolve("probes");
      owner.delete("probes");
      ProbeCompare.write(outcome, dir, "../" + REPORT_HTML);
      outcome.results().get(disentangledView(f)).probe().save(out.resolve("probe.json"));
    });
  }

  // ---- step bookkeeping

  /** A step body that may throw checked exceptions. */
  interface Body {
    void run() throws Exception;
  }

  private void step(String name, String inputs, List<String> outputs, Body body) {
    String inputsHash = ContentHash.ofText(name + "|" + inputs);
    StepMarker.Check check = StepMarker.check(out, name, inputsHash);
    if (check.marker() != null) {
      progress.log(name + ": reused (" + StepMarker.file(out, name) + ")");
      runs.put(name, new StepRun(name, Status.REUSED, check.marker().seconds(), check.marker().cpuSeconds(),
          check.marker().peakRssBytes(), null));
      markers.put(name, check.marker());
      return;
    }
    beforeStep.accept(name);
    progress.log(name + ": computing" + (check.reason() == null ? "" : " (" + check.reason() + ")"));
    String marker = "steps/" + name + ".json";
    List<String> owned = new ArrayList<>(outputs);
    owned.add(marker);
    String[] paths = owned.toArray(String[]::new);
    owner.claim(paths);
    owner.delete(marker); // a stale marker must not outlive a half-written step
    notes.clear();
    inputsChanged = StepMarker.INPUTS_CHANGED.equals(check.reason());
    if (check.reason() != null) {
      notes.add(check.reason() + ": recomputed");
    }
    long t0 = System.nanoTime();
    double cpu0 = ExtractBenchmark.processCpuSeconds();
    try {
      body.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("study step " + name + " failed: " + e.getMessage(), e);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = ExtractBenchmark.processCpuSeconds() - cpu0;
    long peakRss = ExtractBenchmark.peakRssBytes();
    progress.log(String.format(java.util.Locale.ROOT, "%s: done in %.1f s wall, %.1f CPU-s, peak RSS %.2f GiB", name,
        seconds, cpuSeconds, peakRss / (double) (1L << 30)));
    StepMarker done = StepMarker.of(out, name, inputsHash, outputs, seconds, cpuSeconds, peakRss);
    done.write(out);
    owner.commit(paths);
    runs.put(name, new StepRun(name, Status.COMPUTED, seconds, cpuSeconds, peakRss,
        notes.isEmpty() ? null : String.join("; ", notes)));
    markers.put(name, done);
  }

  /**
   * The outputs of a study directory written before ownership records: its step markers' outputs, the
   * markers and the report; empty when it holds no study marker.
   */
  static List<String> legacyOutputs(Path dir) {
    List<String> owned = new ArrayList<>();
    for (String step : STEPS) {
      Path f = StepMarker.file(dir, step);
      if (Files.isRegularFile(f)) {
        try {
          StepMarker m = JSON.readValue(f.toFile(), StepMarker.class);
          if (step.equals(m.step())) {
            owned.add("steps/" + step + ".json");
            owned.addAll(m.outputs().keySet());
          }
        } catch (IOException e) {
          // not a marker we can read: no evidence
        }
      }
    }
    if (owned.isEmpty() && !OutputKind.hasJsonKind(dir.resolve(REPORT_JSON), StudyReport.KIND)) {
      return List.of();
    }
    owned.add(REPORT_JSON);
    owned.add(REPORT_HTML);
    return owned;
  }

  static Map<String, String> versions() {
    Map<String, String> v = new TreeMap<>();
    String impl = Study.class.getPackage().getImplementationVersion();
    v.put("refusal-lens", impl == null ? "dev" : impl);
    v.put("java", System.getProperty("java.version"));
    v.put("nd4j", "1.0.0-M2.1");
    return v;
  }

  static void writeJson(Path file, Object value) {
    try {
      Files.createDirectories(file.getParent());
      JSON.writeValue(file.toFile(), value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
