package refusallens.probes.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.PositionRule;
import refusallens.probes.ProbeExperiment;
import refusallens.probes.ProbeProvenance;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.probes.metrics.PairedAuroc;
import refusallens.probes.metrics.Roc;
import refusallens.probes.text.TextFeatures;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeTrainer;
import refusallens.probes.view.FeatureSetId;
import refusallens.probes.view.ViewResolver;
import refusallens.probes.view.ViewSpec;
import refusallens.refusal.FeatureRole;
import refusallens.refusal.FeaturesFile;
import refusallens.report.HtmlReport;
import refusallens.report.ForestChart;
import refusallens.report.LineChart;

/**
 * {@code probes compare}: for every seed, splits one store (leak-free, see {@link DataSplit}), trains one
 * probe per view (and per probe model), evaluates it on the ID test and every OOD set, and compares the
 * disentangled view with every raw layer and baseline on the same prompts (paired bootstrap); writes
 * report.json, report.html and the primary seed's probes.
 */
public final class ProbeCompare {
  /** The seeds the split and training are repeated with by default (study and CLI alike). */
  public static final List<Long> DEFAULT_SEEDS = List.of(0L, 1L, 2L, 3L, 4L);

  /** OOD sets with fewer positives or negatives are shown but not counted in the verdict. */
  public static final int MIN_SET_SIZE = 10;

  /** Significance level of the paired tests. */
  public static final double ALPHA = 0.05;

  /** The view spec of the text baseline (hashed word and character n-grams of the prompt, no activation). */
  public static final String TEXT = "text";

  /**
   * What to compare.
   *
   * @param train training options; its seed is the primary seed, which must be one of {@code seeds}
   * @param seeds seeds of the repeated split and training
   * @param disentangled the view compared with raw and the baselines; null: {@code fr} when listed, else the
   *     first feature-list view
   */
  public record Options(
      List<String> views,
      List<ProbeKind> models,
      DataSplit.Fractions fractions,
      ProbeTrainer.Options train,
      int bootstrap,
      List<Long> seeds,
      String disentangled) {
    public Options {
      views = List.copyOf(views);
      models = List.copyOf(models);
      seeds = List.copyOf(seeds);
      if (views.isEmpty()) throw new IllegalArgumentException("--views: at least one view");
      if (models.isEmpty()) throw new IllegalArgumentException("--models: at least one probe model");
      if (seeds.isEmpty()) throw new IllegalArgumentException("--seeds: at least one seed");
      if (new LinkedHashSet<>(seeds).size() != seeds.size()) throw new IllegalArgumentException("--seeds " + seeds + ": a seed is repeated");
      if (!seeds.contains(train.seed())) {
        throw new IllegalArgumentException("--seed " + train.seed() + " (the primary seed) must be one of --seeds " + seeds);
      }
      for (String v : views) if (!v.equals(TEXT)) ViewSpec.parse(v); // fail early on a bad spec
      if (disentangled != null && !views.contains(disentangled)) {
        throw new IllegalArgumentException("--disentangled '" + disentangled + "' is not one of --views " + views);
      }
    }
  }

  /** The report and the primary seed's experiment result of every view (for charts and probe files). */
  public record Outcome(CompareReport report, Map<String, ProbeExperiment.Result> results) {}

  private ProbeCompare() {}

  /** {@link #DEFAULT_SEEDS} when they hold {@code primary}, else five consecutive seeds from it. */
  public static List<Long> seedsFor(long primary) {
    if (DEFAULT_SEEDS.contains(primary)) return DEFAULT_SEEDS;
    return List.of(primary, primary + 1, primary + 2, primary + 3, primary + 4);
  }

  /**
   * The default views of a store: raw {@code resid_post} at every stored layer (last position), FR, FH and
   * FH+FR (those features.json has; F* when it has no roles), the activation-matched random control of the disentangled view, and
   * the text baseline when the prompt texts are known.
   */
  public static List<String> defaultViews(ActivationStore store, FeaturesFile features, boolean texts) {
    List<String> views = new ArrayList<>();
    new ViewResolver(store, features, 0).rawLayers(PositionRule.LAST).forEach(l -> views.add("raw:" + l));
    if (features != null) {
      boolean fh = features.features().stream().anyMatch(x -> x.role() == FeatureRole.HARM);
      boolean fr = features.features().stream().anyMatch(x -> x.role() == FeatureRole.REFUSAL);
      if (fr) views.add(FeatureSetId.FR.id());
      if (fh) views.add(FeatureSetId.FH.id());
      if (fh && fr) views.add("fh+fr");
      if (!fh && !fr && !features.features().isEmpty()) views.add(FeatureSetId.FSTAR.id());
      String dis = disentangledOf(views);
      if (dis != null) views.add("random(" + dis + ")");
    }
    if (texts) views.add(TEXT);
    return views;
  }

  /** {@code fr} when listed, else the first view made of feature lists only; null when none. */
  public static String disentangledOf(List<String> views) {
    if (views.contains(FeatureSetId.FR.id())) return FeatureSetId.FR.id();
    for (String v : views) if (!v.equals(TEXT) && isDisentangled(ViewSpec.parse(v))) return v;
    return null;
  }

  /** The key of a view in the report: the spec, with {@code #model} for every model but the first. */
  public static String key(String spec, ProbeKind kind, ProbeKind first) {
    return kind == first ? spec : spec + "#" + kind.id();
  }

  /**
   * Runs every seed, view and model; {@code progress} receives one line per trained probe.
   *
   * @param features features.json (null when no feature-list view is used)
   * @param texts row id -> prompt text for the {@code text} view (null when it is not used)
   */
  public static Outcome run(
      ActivationStore store, FeaturesFile features, String featuresFile, Map<String, String> texts, Options o,
      Consumer<String> progress) {
    if (o.views().contains(TEXT) && texts == null) {
      throw new IllegalArgumentException(
          "view 'text' needs the prompt texts: the dataset the store was extracted from (--data DIR|FILE)");
    }
    TextFeatures text = texts == null ? null : new TextFeatures(texts);
    long primary = o.train().seed();
    ProbeKind first = o.models().get(0);
    Map<String, ProbeExperiment.Result> results = new LinkedHashMap<>();
    Map<String, ProbeKind> kinds = new LinkedHashMap<>();
    Map<String, Map<String, List<Double>>> aurocs = new LinkedHashMap<>(); // key -> set -> per seed
    Map<String, Map<String, List<CompareReport.SeedComparison>>> pairs = new LinkedHashMap<>(); // against -> set -> per seed
    String dis = o.disentangled() != null ? o.disentangled() : disentangledOf(o.views());
    List<String> raw = new ArrayList<>();
    List<String> baselines = new ArrayList<>();
    for (String v : o.views()) {
      if (v.equals(dis)) continue;
      if (v.equals(TEXT) || ViewSpec.parse(v) instanceof ViewSpec.Random) baselines.add(v);
      else if (ViewSpec.parse(v) instanceof ViewSpec.Raw r && r.layer() != null) raw.add(v);
    }
    List<CompareReport.OodSetInfo> sets = null;
    for (long seed : o.seeds()) {
      DataSplit split = DataSplit.of(store.rows(), o.fractions(), seed);
      if (seed == primary) sets = setInfo(split);
      ViewResolver resolver = new ViewResolver(store, features, seed);
      Map<String, ProbeExperiment.Result> bySpec = new LinkedHashMap<>();
      for (String spec : o.views()) {
        for (ProbeKind kind : o.models()) {
          ProbeTrainer.Options t = new ProbeTrainer.Options(kind, o.train().lambdas(), o.train().folds(), o.train().svmC(),
              o.train().mlp(), o.train().targetFpr(), seed);
          long t0 = System.nanoTime();
          ProbeExperiment.Result r = spec.equals(TEXT)
              ? ProbeExperiment.runText(store, text, split, t, o.bootstrap())
              : ProbeExperiment.run(store, resolver, spec, split, t, o.bootstrap());
          String key = key(spec, kind, first);
          if (kind == first) bySpec.put(spec, r);
          if (seed == primary) {
            results.put(key, r);
            kinds.put(key, kind);
          }
          r.sets().forEach((set, s) ->
              aurocs.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(set, k -> new ArrayList<>()).add(s.metrics().auroc()));
          progress.accept(String.format(Locale.ROOT, "seed %d, %s: ID AUROC %s (%.1f s)", seed, key,
              CompareReport.fmt(r.sets().get(ProbeExperiment.ID).metrics().auroc()), (System.nanoTime() - t0) / 1e9));
        }
      }
      if (dis == null) continue;
      ProbeExperiment.Result d = bySpec.get(dis);
      List<String> against = new ArrayList<>(raw);
      against.addAll(baselines);
      for (String a : against) {
        ProbeExperiment.Result ra = bySpec.get(a);
        for (var e : d.sets().entrySet()) {
          if (e.getKey().equals(ProbeExperiment.VALIDATION)) continue;
          ProbeExperiment.Scored sd = e.getValue();
          ProbeExperiment.Scored sa = ra.sets().get(e.getKey());
          if (sa == null || !Arrays.equals(sa.rows(), sd.rows())) {
            throw new IllegalStateException("set " + e.getKey() + ": views " + a + " and " + dis + " were scored on different rows");
          }
          if (sd.metrics().positives() == 0 || sd.metrics().positives() == sd.metrics().n()) continue;
          PairedAuroc p = PairedAuroc.of(sd.labels(), sa.logits(), sd.logits(), o.bootstrap(), seed);
          pairs.computeIfAbsent(a, k -> new LinkedHashMap<>()).computeIfAbsent(e.getKey(), k -> new ArrayList<>())
              .add(new CompareReport.SeedComparison(seed, p.aurocA(), p.aurocB(), p.difference(), p.differenceCi(), p.pValue()));
        }
      }
    }
    Map<String, CompareReport.ViewResult> views = new LinkedHashMap<>();
    results.forEach((key, r) -> {
      Map<String, BinaryMetrics> ood = new LinkedHashMap<>();
      r.ood().forEach((name, s) -> ood.put(name, s.metrics()));
      Map<String, CompareReport.SeedStats> over = new LinkedHashMap<>();
      aurocs.get(key).forEach((set, v) -> { if (!set.equals(ProbeExperiment.VALIDATION)) over.put(set, CompareReport.SeedStats.of(v)); });
      String spec = key.contains("#") ? key.substring(0, key.indexOf('#')) : key;
      var m = r.sets();
      BinaryMetrics val = m.containsKey(ProbeExperiment.VALIDATION) ? m.get(ProbeExperiment.VALIDATION).metrics() : null;
      String resolved = r.probe() == null ? spec : r.probe().view().resolved();
      views.put(key, new CompareReport.ViewResult(spec, resolved, kinds.get(key).id(), r.width(), r.lambda(), r.threshold(), val,
          m.get(ProbeExperiment.ID).metrics(), ood, r.bestLayerAuroc(), over));
    });
    CompareReport.Verdict verdict = dis == null ? null : verdict(dis, raw, baselines, sets, pairs, o.seeds().size());
    String finding = verdict == null
        ? "No raw-vs-disentangled comparison: the views need a feature-list view (fr, fh, fh+fr) and raw:L views."
        : verdict.statement();
    ProbeProvenance prov = new ProbeProvenance(store.dir().toString(), store.manifestHash(), store.header().dataset(), o.fractions(), primary,
        ProbeProvenance.currentVersions());
    CompareReport report = new CompareReport(CompareReport.SCHEMA_VERSION, CompareReport.KIND, prov, o.seeds(), featuresFile, views,
        sets, verdict, finding);
    return new Outcome(report, results);
  }

  /** Each OOD set's size, where its negatives come from and whether the verdict counts it. */
  static List<CompareReport.OodSetInfo> setInfo(DataSplit split) {
    List<CompareReport.OodSetInfo> out = new ArrayList<>();
    split.ood().forEach((name, s) -> {
      String reason = null;
      if (s.positives().length < MIN_SET_SIZE || s.negatives().length < MIN_SET_SIZE) {
        reason = "fewer than " + MIN_SET_SIZE + " positives or negatives";
      } else if (s.negativesFrom() != DataSplit.NegativeSource.ATTACKED_HARMLESS) {
        reason = "no attacked harmless prompts: its negatives are plain, so the attack itself could be detected";
      }
      out.add(new CompareReport.OodSetInfo(name, s.positives().length, s.negatives().length,
          s.negativesFrom().name().toLowerCase(Locale.ROOT).replace('_', '-'), reason == null, reason));
    });
    return out;
  }

  private static CompareReport.Verdict verdict(
      String dis, List<String> raw, List<String> baselines, List<CompareReport.OodSetInfo> sets,
      Map<String, Map<String, List<CompareReport.SeedComparison>>> pairs, int nSeeds) {
    List<String> verdictSets = sets.stream().filter(CompareReport.OodSetInfo::inVerdict).map(CompareReport.OodSetInfo::name).toList();
    int agreement = (int) Math.ceil(0.8 * nSeeds);
    List<CompareReport.Comparison> comparisons = new ArrayList<>();
    List<CompareReport.Summary> summaries = new ArrayList<>();
    List<String> against = new ArrayList<>(raw);
    against.addAll(baselines);
    for (String a : against) {
      double[] meanDiff = new double[nSeeds];
      int sigDis = 0;
      int sigAgainst = 0;
      for (var e : pairs.getOrDefault(a, Map.of()).entrySet()) {
        List<CompareReport.SeedComparison> per = e.getValue();
        boolean in = verdictSets.contains(e.getKey());
        int up = 0, down = 0, sigUp = 0, sigDown = 0;
        for (int i = 0; i < per.size(); i++) {
          CompareReport.SeedComparison c = per.get(i);
          if (c.difference() > 1e-9) up++;
          if (c.difference() < -1e-9) down++;
          if (c.pValue() < ALPHA && c.difference() > 0) sigUp++;
          if (c.pValue() < ALPHA && c.difference() < 0) sigDown++;
          if (in) meanDiff[i] += c.difference() / verdictSets.size();
        }
        if (in && sigUp >= agreement) sigDis++;
        if (in && sigDown >= agreement) sigAgainst++;
        comparisons.add(new CompareReport.Comparison(a, e.getKey(), in, per,
            CompareReport.SeedStats.of(per.stream().map(CompareReport.SeedComparison::difference).toList()), up, down, sigUp + sigDown));
      }
      int up = 0, down = 0;
      for (double d : meanDiff) {
        if (d > 1e-9) up++;
        if (d < -1e-9) down++;
      }
      String outcome = verdictSets.isEmpty() ? "no OOD set large enough"
          : up >= agreement ? "disentangled higher" : down >= agreement ? a + " higher" : "unsettled";
      summaries.add(new CompareReport.Summary(a, verdictSets.isEmpty() ? null : CompareReport.SeedStats.of(Arrays.stream(meanDiff).boxed().toList()),
          up, down, sigDis, sigAgainst, outcome));
    }
    return new CompareReport.Verdict(dis, raw, baselines, verdictSets, MIN_SET_SIZE, agreement, ALPHA, summaries, comparisons,
        statement(dis, raw, sets, verdictSets, summaries, nSeeds, agreement));
  }

  private static String statement(
      String dis, List<String> raw, List<CompareReport.OodSetInfo> sets, List<String> verdictSets,
      List<CompareReport.Summary> summaries, int nSeeds, int agreement) {
    if (sets.isEmpty()) return "The store has no adversarial (OOD) rows: only the ID comparison is available.";
    StringBuilder b = new StringBuilder();
    if (verdictSets.isEmpty()) {
      return "No OOD set has at least " + MIN_SET_SIZE + " attacked harmful and " + MIN_SET_SIZE
          + " attacked harmless prompts: no raw-vs-disentangled verdict (the sets are shown with their sizes).";
    }
    b.append(String.format(Locale.ROOT,
        "Disentangled (%s) vs each view, over %d OOD set%s with >= %d positives and negatives (%d shown but not counted), %d seed%s"
            + " (an outcome needs %d of them to agree): ",
        dis, verdictSets.size(), verdictSets.size() == 1 ? "" : "s", MIN_SET_SIZE, sets.size() - verdictSets.size(), nSeeds,
        nSeeds == 1 ? "" : "s", agreement));
    List<String> parts = new ArrayList<>();
    for (CompareReport.Summary s : summaries) {
      parts.add(String.format(Locale.ROOT, "%s: mean OOD AUROC difference %+.3f +/- %.3f, disentangled higher in %d/%d seeds,"
              + " %d set%s significantly higher and %d lower (p < %.2f in >= %d seeds) -> %s",
          s.against(), s.meanOodDifference().mean(), s.meanOodDifference().sd(), s.seedsDisentangledHigher(), nSeeds,
          s.significantSetsDisentangledHigher(), s.significantSetsDisentangledHigher() == 1 ? "" : "s",
          s.significantSetsAgainstHigher(), ALPHA, agreement, s.outcome()));
    }
    b.append(String.join("; ", parts)).append(". ");
    List<CompareReport.Summary> rawOnes = summaries.stream().filter(s -> raw.contains(s.against())).toList();
    long disWins = rawOnes.stream().filter(s -> s.outcome().equals("disentangled higher")).count();
    long rawWins = rawOnes.stream().filter(s -> s.outcome().endsWith(" higher") && !s.outcome().startsWith("disentangled")).count();
    if (rawOnes.isEmpty()) b.append("No raw layer was compared.");
    else if (disWins == rawOnes.size()) b.append("Disentangled features generalise better than raw activations at every layer on this data.");
    else if (rawWins == rawOnes.size()) b.append("Raw activations at every layer generalise better than the disentangled features on this data.");
    else b.append(String.format(Locale.ROOT, "No consistent winner: disentangled higher than %d of %d raw layers, lower than %d,"
        + " unsettled against %d.", disWins, rawOnes.size(), rawWins, rawOnes.size() - disWins - rawWins));
    return b.toString();
  }

  /** A view made of raw resid_post terms only. */
  static boolean isRawOnly(ViewSpec v) {
    if (v instanceof ViewSpec.Raw) return true;
    return v instanceof ViewSpec.Concat c && c.parts().stream().allMatch(ProbeCompare::isRawOnly);
  }

  /** A view made of features.json lists only (F*, FH, FR and their concatenations). */
  static boolean isDisentangled(ViewSpec v) {
    if (v instanceof ViewSpec.Features) return true;
    return v instanceof ViewSpec.Concat c && c.parts().stream().allMatch(ProbeCompare::isDisentangled);
  }

  /** Writes report.json, report.html and the primary seed's probes/*.json into {@code out}. */
  public static void write(Outcome outcome, Path out) {
    write(outcome, out, null);
  }

  /**
   * As {@link #write(Outcome, Path)}; the HTML report opens with a link to {@code parentReport} (relative to
   * {@code out}, e.g. {@code ../report.html} for a study's probes/) when it is not null.
   */
  public static void write(Outcome outcome, Path out, String parentReport) {
    try {
      outcome.report().write(out.resolve("report.json"));
      for (var e : outcome.results().entrySet()) {
        if (e.getValue().probe() == null) continue; // the text baseline reads no activation: no probe file
        e.getValue().probe().save(out.resolve("probes").resolve(fileName(e.getKey()) + ".json"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing compare report to " + out, e);
    }
    html(outcome, out, parentReport).write(out.resolve("report.html"));
  }

  /** A file-system-safe name for a view key. */
  public static String fileName(String key) {
    return key.replace("*", "star").replaceAll("[^A-Za-z0-9._+-]", "_");
  }

  /** The HTML report. */
  static HtmlReport html(Outcome outcome, Path out, String parentReport) {
    CompareReport r = outcome.report();
    HtmlReport h = new HtmlReport("Probe comparison: raw activations vs SAE features");
    if (parentReport != null) {
      h.link("Part of a study: ", parentReport, "the study report");
    }
    h.paragraph("Store: " + HtmlReport.relativePaths(r.provenance().store(), out) + " (paths relative to this report's folder; dataset " + r.provenance().dataset() + ", manifest "
        + r.provenance().storeManifestHash() + "). Seeds " + r.seeds() + " (each repeats the split and the training); tables"
        + " of single probes are seed " + r.provenance().seed() + ". Probes trained on plain harmful vs harmless prompts;"
        + " base prompts of attacked variants are held out of training and validation. Each OOD set: one attack's harmful"
        + " prompts against the same attack on harmless prompts; thresholds set on validation for the target FPR.");
    h.finding(r.finding());
    if (!r.oodSets().isEmpty()) {
      List<List<String>> t = new ArrayList<>();
      for (CompareReport.OodSetInfo s : r.oodSets()) {
        t.add(List.of(s.name(), Integer.toString(s.positives()), Integer.toString(s.negatives()), s.negativesFrom(),
            s.inVerdict() ? "yes" : "no", s.reason() == null ? "" : s.reason()));
      }
      h.heading("OOD sets").table(List.of("set", "positives", "negatives", "negatives from", "in verdict", "why not"), t);
    }
    CompareReport.Verdict v = r.verdict();
    if (v != null) {
      List<List<String>> t = new ArrayList<>();
      for (CompareReport.Summary s : v.summaries()) {
        t.add(List.of(s.against(), s.meanOodDifference() == null ? "n/a" : pm(s.meanOodDifference()),
            s.seedsDisentangledHigher() + "/" + r.seeds().size(), s.seedsAgainstHigher() + "/" + r.seeds().size(),
            s.significantSetsDisentangledHigher() + " / " + s.significantSetsAgainstHigher(), s.outcome()));
      }
      h.heading("Verdict: " + v.disentangled() + " against each raw layer and baseline").table(List.of("against",
          "mean OOD AUROC difference (mean +/- sd over seeds)", "seeds disentangled higher", "seeds lower",
          "sets significantly higher / lower", "outcome"), t);
      List<List<String>> c = new ArrayList<>();
      for (CompareReport.Comparison x : v.comparisons()) {
        c.add(List.of(x.against(), x.set(), x.inVerdict() ? "yes" : "no", pm(x.differenceOverSeeds()),
            x.seedsDisentangledHigher() + "/" + x.seeds().size(),
            String.join(" ", x.seeds().stream().map(sc -> String.format(Locale.ROOT, "%.3f", sc.pValue())).toList())));
      }
      h.heading("Paired tests per set (AUROC of " + v.disentangled() + " minus the other view, same prompts)")
          .table(List.of("against", "set", "in verdict", "difference (mean +/- sd)", "seeds disentangled higher",
              "paired bootstrap p per seed"), c);
    }
    List<String> allSets = new ArrayList<>(List.of(ProbeExperiment.ID));
    r.oodSets().forEach(s -> allSets.add(s.name()));
    List<List<String>> seedRows = new ArrayList<>();
    r.views().forEach((k, vr) -> {
      List<String> row = new ArrayList<>(List.of(k));
      for (String s : allSets) {
        CompareReport.SeedStats st = vr.aurocOverSeeds() == null ? null : vr.aurocOverSeeds().get(s);
        row.add(st == null ? "-" : meanSd(st));
      }
      seedRows.add(row);
    });
    List<String> seedHeader = new ArrayList<>(List.of("view"));
    allSets.forEach(s -> seedHeader.add(s + " AUROC"));
    h.heading("AUROC over seeds (mean +/- sd)").table(seedHeader, seedRows);

    forests(h, r);
    embed(h, perLayer(r), "raw probe AUROC per layer, in-distribution and mean OOD");

    List<String> header = List.of("view", "model", "columns", "AUROC", "95% CI", "accuracy", "F1", "TPR@1%FPR", "ECE");
    List<List<String>> rows = new ArrayList<>();
    r.views().forEach((k, vr) -> rows.add(row(k, vr, vr.id())));
    h.heading("In-distribution test (seed " + r.provenance().seed() + ")").table(header, rows);
    embed(h, roc(outcome, ProbeExperiment.ID), "ROC curves, in-distribution test");
    for (CompareReport.OodSetInfo set : r.oodSets()) {
      List<List<String>> t = new ArrayList<>();
      r.views().forEach((k, vr) -> {
        BinaryMetrics m = vr.ood().get(set.name());
        if (m != null) {
          List<String> row = new ArrayList<>(row(k, vr, m));
          row.add(CompareReport.fmt(m.detectionRate()));
          t.add(row);
        }
      });
      if (t.isEmpty()) continue;
      List<String> hdr = new ArrayList<>(header);
      hdr.add("detection rate");
      h.heading("OOD: " + set.name() + " (" + set.positives() + " positives, " + set.negatives() + " negatives, seed "
          + r.provenance().seed() + ")").table(hdr, t);
      embed(h, roc(outcome, set.name()), "ROC curves, " + set.name());
    }
    r.views().forEach((k, vr) -> {
      if (vr.layerValidationAuroc() != null) {
        List<List<String>> t = new ArrayList<>();
        vr.layerValidationAuroc().forEach((l, a) -> t.add(List.of(Integer.toString(l), CompareReport.fmt(a))));
        h.heading(k + ": validation AUROC per layer (chose " + vr.resolved() + "; not in the verdict)")
            .table(List.of("layer", "AUROC"), t);
      }
    });
    return h;
  }

  /**
   * One forest plot per view (baselines included, side by side): AUROC with its bootstrap 95% CI on the ID test
   * and on each named OOD set, primary seed.
   */
  static void forests(HtmlReport h, CompareReport r) {
    List<byte[]> pngs = new ArrayList<>();
    List<String> alts = new ArrayList<>();
    r.views().forEach((k, vr) -> {
      ForestChart c = new ForestChart(k, "AUROC (95% CI), seed " + r.provenance().seed()).reference(0.5);
      if (vr.id() != null) c.row(ProbeExperiment.ID + " test", vr.id().auroc(), vr.id().aurocCi());
      for (CompareReport.OodSetInfo s : r.oodSets()) {
        BinaryMetrics m = vr.ood().get(s.name());
        if (m != null) c.row(s.name() + " (" + s.positives() + "+/" + s.negatives() + "-)", m.auroc(), m.aurocCi());
      }
      if (c.size() == 0) return;
      pngs.add(c.png(540));
      alts.add("forest plot of AUROC per set: " + k + "; sets: "
          + String.join(", ", r.oodSets().stream().map(CompareReport.OodSetInfo::name).toList()));
    });
    if (pngs.isEmpty()) return;
    h.heading("AUROC per set, one forest plot per view (dot: AUROC; bar: 95% bootstrap CI; dashed: chance)");
    h.pngRow(pngs, alts);
  }

  /** The raw probe's ID and mean OOD AUROC (verdict sets, else all OOD sets) per layer; null without raw layers. */
  static byte[] perLayer(CompareReport r) {
    java.util.TreeMap<Integer, CompareReport.ViewResult> layers = new java.util.TreeMap<>();
    r.views().forEach((k, vr) -> {
      if (TEXT.equals(k)) return;
      try {
        if (ViewSpec.parse(k) instanceof ViewSpec.Raw raw && raw.layer() != null) layers.put(raw.layer(), vr);
      } catch (IllegalArgumentException e) {
        // a key that is not a view spec is no raw layer
      }
    });
    if (layers.isEmpty()) return null;
    List<String> sets = r.verdict() != null && !r.verdict().verdictSets().isEmpty() ? r.verdict().verdictSets()
        : r.oodSets().stream().map(CompareReport.OodSetInfo::name).toList();
    double[] x = layers.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
    double[] id = layers.values().stream().mapToDouble(v -> v.id() == null ? Double.NaN : v.id().auroc()).toArray();
    double[] ood = layers.values().stream().mapToDouble(v -> sets.stream().map(s -> v.ood().get(s))
        .filter(m -> m != null && Double.isFinite(m.auroc())).mapToDouble(BinaryMetrics::auroc).average().orElse(Double.NaN)).toArray();
    LineChart c = new LineChart("Raw probe AUROC per layer (seed " + r.provenance().seed() + ")", "layer", "AUROC");
    c.series("ID test", x, id);
    if (Arrays.stream(ood).allMatch(Double::isFinite)) c.series("mean OOD (" + sets.size() + " sets)", x, ood);
    return c.png(640, 360);
  }

  /** A signed difference over seeds, mean +/- sd. */
  private static String pm(CompareReport.SeedStats s) {
    return Double.isNaN(s.mean()) ? "n/a" : String.format(Locale.ROOT, "%+.3f +/- %.3f", s.mean(), s.sd());
  }

  /** A metric over seeds, mean +/- sd. */
  private static String meanSd(CompareReport.SeedStats s) {
    return Double.isNaN(s.mean()) ? "n/a" : String.format(Locale.ROOT, "%.3f +/- %.3f", s.mean(), s.sd());
  }

  private static List<String> row(String key, CompareReport.ViewResult v, BinaryMetrics m) {
    return List.of(key, v.probeModel(), Integer.toString(v.width()), CompareReport.fmt(m.auroc()),
        CompareReport.fmt(m.aurocCi()), CompareReport.fmt(m.accuracy()), CompareReport.fmt(m.f1()),
        CompareReport.fmt(m.tprAt1Fpr()), CompareReport.fmt(m.ece()));
  }

  private static void embed(HtmlReport h, byte[] png, String alt) {
    if (png != null) h.png(png, alt);
  }

  /** ROC curves of every view on one set, or null when no view has both classes there. */
  private static byte[] roc(Outcome outcome, String set) {
    LineChart c = new LineChart("ROC: " + set, "false-positive rate", "true-positive rate").range(0, 1, 0, 1);
    int[] n = {0};
    outcome.results().forEach((k, r) -> {
      ProbeExperiment.Scored s = r.sets().get(set);
      if (s == null || s.metrics().positives() == 0 || s.metrics().positives() == s.metrics().n()) return;
      var pts = Roc.curve(s.labels(), s.logits());
      c.series(k, pts.stream().mapToDouble(Roc.Point::fpr).toArray(), pts.stream().mapToDouble(Roc.Point::tpr).toArray());
      n[0]++;
    });
    return n[0] == 0 ? null : c.png(640, 420);
  }
}
