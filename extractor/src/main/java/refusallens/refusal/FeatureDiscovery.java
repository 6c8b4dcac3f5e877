package refusallens.refusal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.intervention.DirectionAblation;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.InterventionHooks;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.intervention.Positions;
import refusallens.core.intervention.UnitDirection;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;
import refusallens.core.io.ContentHash;

/**
 * {@code features find}, as the paper does it: the refusal direction V*_R (difference in means, layer chosen by
 * validation), F0 (top-K0 cosine features per SAE layer), F* (top-K* of F0 by attribution patching with
 * integrated gradients, patching = ablating V*_R), the FR/FH roles, the comparison baselines and the measured
 * effects, as one {@link FeaturesFile}.
 */
public final class FeatureDiscovery {
  private final Transformer model;
  private final Tokenizer tokenizer;
  private final SaeSet saes;
  private final DiscoveryOptions options;
  private final RefusalJudgement judge;
  private final Progress progress;

  /** {@code judge} decides which greedy answers to harmful prompts are refusals (their first tokens join R). */
  public FeatureDiscovery(
      Transformer model, Tokenizer tokenizer, SaeSet saes, DiscoveryOptions options, RefusalJudgement judge,
      Progress progress) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.saes = saes;
    this.options = options;
    this.judge = java.util.Objects.requireNonNull(judge, "judge");
    this.progress = progress;
  }

  /** The model and SAE inputs as named on the command line, for provenance. */
  public record Inputs(Path modelDir, List<Path> saeDirs) {}

  /** Runs every step on {@code data} and returns the features file. */
  public FeaturesFile run(DiscoveryData data, Inputs inputs) {
    int layers = model.config().shape().numLayers();
    TemplateSpan span = TemplateSpan.of(tokenizer);
    int n = options.n();
    List<EncodedPrompt> harmful = EncodedPrompt.encode(tokenizer, DiscoveryData.first(data.harmfulTrain(), n));
    progress.start("first tokens", harmful.size());
    int[] cleanFirst = RefusalScores.argmax(
        PromptRuns.lastLogits(model, EncodedPrompt.ids(harmful), Hooks.none(), options.batchSize(), progress));
    progress.finish();
    RefusalTokens refusal = RefusalTokens.find(model, tokenizer, EncodedPrompt.ids(harmful), options.refusalOpeners(),
        judge, DiscoveryOptions.REFUSAL_JUDGE_TOKENS, options.batchSize(), progress);
    int[] refusalTokens = refusal.ids();
    int refusalToken = usualRefusalToken(cleanFirst, refusalTokens);
    progress.log("usual refusal token: '" + tokenizer.decode(new int[] {refusalToken}, false) + "' (" + refusalToken + ")");
    List<EncodedPrompt> harmless = EncodedPrompt.encode(tokenizer, DiscoveryData.first(data.harmlessTrain(), n));
    List<int[]> harmfulVal = EncodedPrompt.ids(EncodedPrompt.encode(tokenizer, DiscoveryData.first(data.harmfulVal(), n)));
    List<int[]> harmlessVal = EncodedPrompt.ids(EncodedPrompt.encode(tokenizer, DiscoveryData.first(data.harmlessVal(), n)));

    // 1. candidate directions and V*_R
    RefusalDirections.Means means = RefusalDirections.means(model, EncodedPrompt.ids(harmful), EncodedPrompt.ids(harmless),
        options.positions(), span, options.batchSize(), progress);
    INDArray directions = means.difference(); // [positions, layers, d]
    LayerSelection.Result selection = LayerSelection.select(model, directions, means.offsets(), harmfulVal, harmlessVal,
        refusal, LayerSelection.Options.defaults().withLayer(options.layer()), options.batchSize(), progress);
    int chosenPos = means.offsets().indexOf(selection.position());
    INDArray vStar = directions.get(NDArrayIndex.point(chosenPos), NDArrayIndex.point(selection.layer()), NDArrayIndex.all())
        .dup(); // [d]
    DirectionAblation ablation = DirectionAblation.of(vStar);
    progress.log("V*_R: layer " + selection.layer() + ", position " + selection.position() + " (" + selection.selectedBy()
        + "), norm " + String.format("%.4g", ablation.norm()));
    if (selection.fallback()) {
      progress.warn("the refusal direction was not selected by Arditi et al.'s rule: " + selection.reason());
    }

    // 2. F0: top-K0 cosine per SAE layer
    Map<FeatureKey, Double> cosine = new TreeMap<>();
    List<FeaturesFile.ScoredFeature> f0 = new ArrayList<>();
    List<FeaturesFile.ScoredFeature> allCos = new ArrayList<>();
    for (int l : saes.layers()) {
      double[] cos = CosSimSelection.cosines(saes.get(l).wDec(), vStar);
      for (CosSimSelection.Candidate c : CosSimSelection.topK(saes.get(l), vStar, options.k0())) {
        f0.add(new FeaturesFile.ScoredFeature(l, c.index(), c.cosine()));
      }
      for (int i = 0; i < cos.length; i++) {
        cosine.put(new FeatureKey(l, i), cos[i]);
        allCos.add(new FeaturesFile.ScoredFeature(l, i, cos[i]));
      }
    }

    // 3. attribution prompts: harmful prompts the model refuses and, with V*_R ablated, no longer refuses
    List<EncodedPrompt> attrPrompts = attributionPrompts(harmful, cleanFirst, ablation, refusal);
    AttributionPatching.Result ap = AttributionPatching.run(model, saes, EncodedPrompt.ids(attrPrompts), ablation,
        refusal, span, new AttributionPatching.Options(options.steps(), options.batchSize()), progress);
    Map<FeatureKey, Double> attribution = new TreeMap<>();
    List<FeaturesFile.ScoredFeature> allAttr = new ArrayList<>();
    List<FeaturesFile.LayerAttribution> layerAttr = new ArrayList<>();
    for (int l : ap.layers()) {
      double[] mean = ap.mean(l).toDoubleVector();
      double sum = 0;
      for (int i = 0; i < mean.length; i++) {
        attribution.put(new FeatureKey(l, i), mean[i]);
        allAttr.add(new FeaturesFile.ScoredFeature(l, i, mean[i]));
        sum += mean[i];
      }
      layerAttr.add(new FeaturesFile.LayerAttribution(l, sum, RefusalScores.mean(ap.errorAttribution().get(l))));
    }
    List<FeaturesFile.ScoredFeature> f0Attr = f0.stream()
        .map(f -> new FeaturesFile.ScoredFeature(f.layer(), f.index(), attribution.get(new FeatureKey(f.layer(), f.index()))))
        .toList();
    List<FeaturesFile.ScoredFeature> fStar = top(f0Attr, options.kStar());
    List<FeaturesFile.PromptFeatures> perPrompt = new ArrayList<>();
    for (int p = 0; p < attrPrompts.size(); p++) {
      List<FeaturesFile.ScoredFeature> own = new ArrayList<>();
      for (FeaturesFile.ScoredFeature f : f0) {
        own.add(new FeaturesFile.ScoredFeature(f.layer(), f.index(), ap.perPrompt().get(f.layer()).getDouble(p, f.index())));
      }
      var prompt = attrPrompts.get(p).prompt();
      perPrompt.add(new FeaturesFile.PromptFeatures(prompt.id(), prompt.category(),
          tokenizer.decode(new int[] {ap.jbTokens()[p]}, false), tokenizer.decode(new int[] {ap.refusalTokens()[p]}, false),
          ap.cleanMetric()[p], ap.patchedMetric()[p],
          top(own, options.kStar())));
    }

    // 4. baselines (their feature lists), then statistics and roles of everything listed
    List<FeaturesFile.ScoredFeature> cosSim = top(allCos, options.kStar());
    List<FeaturesFile.ScoredFeature> apOnly = top(allAttr, options.kStar());
    FeaturesFile.RandomFeatures random =
        new FeaturesFile.RandomFeatures(options.seed(), randomFeatures(saes, options.kStar(), options.seed()));
    Set<FeatureKey> tracked = new LinkedHashSet<>();
    fStar.forEach(f -> tracked.add(new FeatureKey(f.layer(), f.index())));
    FeatureStats.Result stats = FeatureStats.compute(model, tokenizer, saes, harmful, harmless, span, tracked,
        options.batchSize(), progress);
    List<FeaturesFile.ScoredFeature> actDiff = new ArrayList<>();
    for (int l : saes.layers()) {
      double[] h = stats.meanHarmful().get(l);
      double[] b = stats.meanHarmless().get(l);
      for (int i = 0; i < h.length; i++) {
        actDiff.add(new FeaturesFile.ScoredFeature(l, i, h[i] - b[i]));
      }
    }
    actDiff = top(actDiff, options.kStar());
    RoleAssignment roles = RoleAssignment.defaults();
    List<FeaturesFile.Feature> features = new ArrayList<>();
    for (FeaturesFile.ScoredFeature f : fStar) {
      FeatureKey k = new FeatureKey(f.layer(), f.index());
      FeatureStats.Tracked t = stats.tracked().get(k);
      FeaturesFile.RoleEvidence ev = roles.evidence(t.contentMean(), t.contentPeak(), t.postMean(), t.profile(), t.categoryMeans());
      features.add(new FeaturesFile.Feature(f.layer(), f.index(), roles.role(ev), cosine.get(k), f.score(),
          stats.meanHarmful().get(f.layer())[f.index()], stats.meanHarmless().get(f.layer())[f.index()],
          List.copyOf(t.top), ev));
    }

    // 5. effects on the attribution prompts
    FeaturesFile.Effects effects = effects(attrPrompts, ablation, refusal, fStar);

    FeaturesFile.Baselines baselines = new FeaturesFile.Baselines(
        new FeaturesFile.Steering("direction-ablation", selection.layer(), ablation.norm(), "all", "all"),
        cosSim, apOnly, actDiff, random);
    // the mean projection of harmful prompts on the unit V*_R: the default strength of steering along it
    double harmfulProjection = UnitDirection.of(vStar).project(means.harmful().get(NDArrayIndex.point(chosenPos),
        NDArrayIndex.point(selection.layer()), NDArrayIndex.all()).dup()).getDouble(0);
    FeaturesFile.Direction dir = new FeaturesFile.Direction(selection.layer(), ablation.norm(), options.positions(),
        selection, harmfulProjection, vStar.toFloatVector());
    FeaturesFile.Settings settings = new FeaturesFile.Settings(options.k0(), options.kStar(), options.steps(), n,
        options.seed(), tokenizer.decode(new int[] {refusalToken}, false), refusal.tokens(),
        java.util.Arrays.stream(refusalTokens).boxed().toList(), options.refusalOpeners(), options.positions(), roles.describe());
    return new FeaturesFile(FeaturesFile.SCHEMA_VERSION, FeaturesFile.KIND, dir, features, perPrompt, f0Attr, layerAttr,
        baselines, effects, settings, provenance(data, inputs));
  }

  private List<EncodedPrompt> attributionPrompts(
      List<EncodedPrompt> harmful, int[] clean, DirectionAblation ablation, RefusalTokens refusal) {
    List<int[]> ids = EncodedPrompt.ids(harmful);
    progress.start("attribution prompts", ids.size());
    int[] patched = RefusalScores.argmax(PromptRuns.lastLogits(model, ids,
        ablation.everyLayer(model.config().shape().numLayers()), options.batchSize(), progress));
    progress.finish();
    List<EncodedPrompt> kept = new ArrayList<>();
    for (int i = 0; i < harmful.size(); i++) {
      if (refusal.contains(clean[i]) && !refusal.contains(patched[i])) {
        kept.add(harmful.get(i));
      }
    }
    if (kept.isEmpty()) {
      progress.log("no harmful prompt is refused and then complied with under ablation; attributing over all "
          + harmful.size() + " harmful prompts");
      return harmful;
    }
    progress.log(kept.size() + " of " + harmful.size() + " harmful prompts flip from refusal to compliance under ablation");
    return kept;
  }

  private FeaturesFile.Effects effects(
      List<EncodedPrompt> prompts, DirectionAblation ablation, RefusalTokens refusal, List<FeaturesFile.ScoredFeature> fStar) {
    List<int[]> ids = EncodedPrompt.ids(prompts);
    progress.start("effects", 3L * ids.size());
    double base = RefusalScores.mean(refusal.score(
        PromptRuns.lastLogits(model, ids, Hooks.none(), options.batchSize(), progress)));
    double ablated = RefusalScores.mean(refusal.score(PromptRuns.lastLogits(model, ids,
        ablation.everyLayer(model.config().shape().numLayers()), options.batchSize(), progress)));
    double clamped = RefusalScores.mean(refusal.score(PromptRuns.lastLogits(model, ids,
        InterventionHooks.of(clampSpec(fStar, options.clampScale()), saes), options.batchSize(), progress)));
    progress.finish();
    return new FeaturesFile.Effects(ids.size(), base, ablated, options.clampScale(), clamped,
        "mean first-token refusal score log p(R) - log p(not R) (settings.refusalTokens) of the attribution prompts;"
            + " F* clamped a_i -> c a_i at every position");
  }

  /** The intervention clamping {@code features} (a_i -> c a_i) at every position, one entry per layer. */
  public static InterventionSpec clampSpec(List<FeaturesFile.ScoredFeature> features, double c) {
    Map<Integer, List<Integer>> byLayer = new TreeMap<>();
    for (FeaturesFile.ScoredFeature f : features) {
      byLayer.computeIfAbsent(f.layer(), k -> new ArrayList<>()).add(f.index());
    }
    List<FeatureIntervention> entries = new ArrayList<>();
    byLayer.forEach((l, fs) -> entries.add(FeatureIntervention.scale(l, fs, c, Positions.ALL)));
    return InterventionSpec.of(entries);
  }

  /** {@code k} distinct features drawn uniformly from the SAE layers by {@code seed} (the random baseline). */
  static List<FeaturesFile.ScoredFeature> randomFeatures(SaeSet saes, int k, long seed) {
    Random rnd = new Random(seed);
    List<Integer> layers = List.copyOf(saes.layers());
    Set<FeatureKey> picked = new LinkedHashSet<>();
    long total = layers.stream().mapToLong(l -> saes.config(l).dSae()).sum();
    while (picked.size() < Math.min(k, total)) {
      int l = layers.get(rnd.nextInt(layers.size()));
      picked.add(new FeatureKey(l, rnd.nextInt(saes.config(l).dSae())));
    }
    return picked.stream().map(f -> new FeaturesFile.ScoredFeature(f.layer(), f.index(), 0)).toList();
  }

  private FeaturesFile.Provenance provenance(DiscoveryData data, Inputs inputs) {
    progress.log("hashing inputs for provenance");
    FeaturesFile.Source m = new FeaturesFile.Source(inputs.modelDir().toString(), ContentHash.ofDirectory(inputs.modelDir()));
    List<FeaturesFile.Source> s = new ArrayList<>();
    for (int l : saes.layers()) {
      Path src = saes.config(l).source();
      s.add(new FeaturesFile.Source("L" + l + "=" + src, ContentHash.ofDirectory(src)));
    }
    String v = FeatureDiscovery.class.getPackage().getImplementationVersion();
    return new FeaturesFile.Provenance(m, s, new FeaturesFile.Source(data.id(), data.sha256()),
        "refusal-lens " + (v == null ? "dev" : v), System.getProperty("java.version"));
  }

  /** The k highest scores, best first (ties: lower layer, then lower index). */
  static List<FeaturesFile.ScoredFeature> top(List<FeaturesFile.ScoredFeature> xs, int k) {
    List<FeaturesFile.ScoredFeature> s = new ArrayList<>(xs);
    s.sort(Comparator.comparingDouble(FeaturesFile.ScoredFeature::score).reversed()
        .thenComparingInt(FeaturesFile.ScoredFeature::layer).thenComparingInt(FeaturesFile.ScoredFeature::index));
    return List.copyOf(s.subList(0, Math.min(k, s.size())));
  }

  /**
   * The first token of the model's usual refusal: the most frequent first token of the harmful prompts among the
   * refusal tokens (R's first, the lowest id, when none of them is ever first, e.g. an untrained model).
   */
  static int usualRefusalToken(int[] firstTokens, int[] refusalTokens) {
    int best = refusalTokens[0];
    int bestCount = 0;
    for (int t : refusalTokens) {
      int c = 0;
      for (int f : firstTokens) {
        c += f == t ? 1 : 0;
      }
      if (c > bestCount) {
        best = t;
        bestCount = c;
      }
    }
    return best;
  }
}
