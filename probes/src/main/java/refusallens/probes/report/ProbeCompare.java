package refusallens.probes.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import refusallens.extract.ActivationStore;
import refusallens.probes.ProbeExperiment;
import refusallens.probes.Provenance;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.probes.metrics.Roc;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeTrainer;
import refusallens.probes.view.ViewResolver;
import refusallens.probes.view.ViewSpec;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/**
 * {@code probes compare}: trains one probe per view (and per probe model) on the same split of one store,
 * evaluates each on the ID test and every OOD set, and writes report.json, report.html and the probes.
 */
public final class ProbeCompare {
  /** What to compare. */
  public record Options(
      List<String> views, List<ProbeKind> models, DataSplit.Fractions fractions, ProbeTrainer.Options train, int bootstrap) {
    public Options {
      views = List.copyOf(views);
      models = List.copyOf(models);
      if (views.isEmpty()) throw new IllegalArgumentException("--views: at least one view");
      if (models.isEmpty()) throw new IllegalArgumentException("--models: at least one probe model");
      views.forEach(ViewSpec::parse); // fail early on a bad spec
    }
  }

  /** The report and every view's experiment result (for charts and probe files). */
  public record Outcome(CompareReport report, Map<String, ProbeExperiment.Result> results) {}

  private ProbeCompare() {}

  /** The key of a view in the report: the spec, with {@code #model} for every model but the first. */
  public static String key(String spec, ProbeKind kind, ProbeKind first) {
    return kind == first ? spec : spec + "#" + kind.id();
  }

  /** Runs every view and model; {@code progress} receives one line per trained probe. */
  public static Outcome run(
      ActivationStore store, ViewResolver resolver, String featuresFile, Options o, Consumer<String> progress) {
    DataSplit split = DataSplit.of(store.rows(), o.fractions(), o.train().seed());
    Map<String, ProbeExperiment.Result> results = new LinkedHashMap<>();
    Map<String, CompareReport.ViewResult> views = new LinkedHashMap<>();
    for (String spec : o.views()) {
      for (ProbeKind kind : o.models()) {
        ProbeTrainer.Options t =
            new ProbeTrainer.Options(kind, o.train().lambdas(), o.train().folds(), o.train().svmC(), o.train().mlp(),
                o.train().targetFpr(), o.train().seed());
        long t0 = System.nanoTime();
        ProbeExperiment.Result r = ProbeExperiment.run(store, resolver, spec, split, t, o.bootstrap());
        String key = key(spec, kind, o.models().get(0));
        results.put(key, r);
        var sets = r.probe().metrics();
        Map<String, BinaryMetrics> ood = new LinkedHashMap<>();
        r.ood().forEach((name, s) -> ood.put(name, s.metrics()));
        views.put(
            key,
            new CompareReport.ViewResult(
                spec, r.probe().view().resolved(), kind.id(), r.probe().width(), r.probe().lambda(),
                r.probe().threshold(), sets.get(ProbeExperiment.VALIDATION), sets.get(ProbeExperiment.ID), ood,
                r.bestLayerAuroc()));
        progress.accept(String.format(java.util.Locale.ROOT, "%s: %d columns, ID AUROC %s (%.1f s)", key,
            r.probe().width(), CompareReport.fmt(sets.get(ProbeExperiment.ID).auroc()), (System.nanoTime() - t0) / 1e9));
      }
    }
    List<CompareReport.Gap> gaps = new ArrayList<>();
    String raw = firstKey(views, ProbeCompare::isRawOnly);
    String dis = firstKey(views, ProbeCompare::isDisentangled);
    String finding;
    if (raw == null || dis == null) {
      finding = "No raw-vs-disentangled comparison: the views need one raw:L view and one feature-list view (e.g. fh+fr).";
    } else {
      CompareReport.ViewResult a = views.get(raw);
      CompareReport.ViewResult b = views.get(dis);
      gaps.add(gap(ProbeExperiment.ID, raw, dis, a.id(), b.id()));
      a.ood().forEach((set, m) -> {
        if (b.ood().containsKey(set)) gaps.add(gap(set, raw, dis, m, b.ood().get(set)));
      });
      finding = summarise(raw, dis, gaps);
    }
    Provenance prov =
        new Provenance(store.dir().toString(), store.manifestHash(), store.header().dataset(), split.fractions(), o.train().seed(),
            Provenance.currentVersions());
    CompareReport report =
        new CompareReport(CompareReport.SCHEMA_VERSION, CompareReport.KIND, prov, featuresFile, views, gaps, finding);
    return new Outcome(report, results);
  }

  private static String firstKey(Map<String, CompareReport.ViewResult> views, java.util.function.Predicate<ViewSpec> p) {
    for (var e : views.entrySet()) if (p.test(ViewSpec.parse(e.getValue().spec()))) return e.getKey();
    return null;
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

  private static CompareReport.Gap gap(String set, String raw, String dis, BinaryMetrics a, BinaryMetrics b) {
    double diff = b.auroc() - a.auroc();
    boolean overlap = CompareReport.overlap(a.aurocCi(), b.aurocCi());
    String verdict =
        Math.abs(diff) < 1e-9 ? "the same AUROC as"
            : (diff > 0 ? "higher AUROC than" : "lower AUROC than");
    String statement =
        String.format(java.util.Locale.ROOT,
            "%s: disentangled (%s) AUROC %s %s has %s raw (%s) AUROC %s %s, difference %+.3f; the 95%% CIs %s.",
            set, dis, CompareReport.fmt(b.auroc()), CompareReport.fmt(b.aurocCi()), verdict, raw,
            CompareReport.fmt(a.auroc()), CompareReport.fmt(a.aurocCi()), diff, overlap ? "overlap" : "do not overlap");
    return new CompareReport.Gap(set, raw, dis, a.auroc(), a.aurocCi(), b.auroc(), b.aurocCi(), a.tprAt1Fpr(),
        b.tprAt1Fpr(), diff, overlap, statement);
  }

  private static String summarise(String raw, String dis, List<CompareReport.Gap> gaps) {
    int n = 0, better = 0, betterSig = 0, worse = 0, worseSig = 0;
    for (CompareReport.Gap g : gaps) {
      if (g.set().equals(ProbeExperiment.ID)) continue;
      n++;
      if (g.aurocDifference() > 1e-9) {
        better++;
        if (!g.cisOverlap()) betterSig++;
      } else if (g.aurocDifference() < -1e-9) {
        worse++;
        if (!g.cisOverlap()) worseSig++;
      }
    }
    if (n == 0) return "The store has no adversarial (OOD) rows: only the ID comparison is available.";
    String verdict =
        betterSig > worseSig ? "Disentangled features generalise better than raw activations on this data."
            : worseSig > betterSig ? "Raw activations generalise better than disentangled features on this data."
            : "Neither view generalises clearly better on this data (no difference beyond overlapping CIs decides it).";
    return String.format(java.util.Locale.ROOT,
        "Across %d OOD sets, disentangled (%s) has higher AUROC than raw (%s) on %d (%d with non-overlapping 95%% CIs)"
            + " and lower on %d (%d non-overlapping). %s", n, dis, raw, better, betterSig, worse, worseSig, verdict);
  }

  /** Writes report.json, report.html and probes/*.json into {@code out}. */
  public static void write(Outcome outcome, Path out) {
    try {
      outcome.report().write(out.resolve("report.json"));
      for (var e : outcome.results().entrySet()) {
        e.getValue().probe().save(out.resolve("probes").resolve(fileName(e.getKey()) + ".json"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing compare report to " + out, e);
    }
    html(outcome).write(out.resolve("report.html"));
  }

  /** A file-system-safe name for a view key. */
  public static String fileName(String key) {
    return key.replace("*", "star").replaceAll("[^A-Za-z0-9._+-]", "_");
  }

  /** The HTML report. */
  static HtmlReport html(Outcome outcome) {
    CompareReport r = outcome.report();
    HtmlReport h = new HtmlReport("Probe comparison: raw activations vs SAE features");
    h.paragraph("Store: " + r.provenance().store() + " (dataset " + r.provenance().dataset() + ", seed "
        + r.provenance().seed() + "). Probes trained on plain harmful vs harmless prompts; thresholds set on"
        + " validation for the target FPR. OOD sets: each attack's harmful prompts against the ID test's harmless prompts.");
    h.finding(r.finding());
    List<String> header = List.of("view", "model", "columns", "AUROC", "95% CI", "accuracy", "F1", "TPR@1%FPR", "ECE");
    List<List<String>> rows = new ArrayList<>();
    r.views().forEach((k, v) -> rows.add(row(k, v, v.id())));
    h.heading("In-distribution test").table(header, rows);
    embed(h, roc(outcome, ProbeExperiment.ID), "ROC curves, in-distribution test");
    List<String> sets = new ArrayList<>();
    r.views().values().forEach(v -> v.ood().keySet().forEach(s -> { if (!sets.contains(s)) sets.add(s); }));
    for (String set : sets) {
      List<List<String>> t = new ArrayList<>();
      r.views().forEach((k, v) -> {
        BinaryMetrics m = v.ood().get(set);
        if (m != null) {
          List<String> row = new ArrayList<>(row(k, v, m));
          row.add(CompareReport.fmt(m.detectionRate()));
          t.add(row);
        }
      });
      List<String> hdr = new ArrayList<>(header);
      hdr.add("detection rate");
      h.heading("OOD: " + set).table(hdr, t);
      embed(h, roc(outcome, set), "ROC curves, " + set);
    }
    if (!r.gaps().isEmpty()) {
      h.heading("Raw vs disentangled");
      List<List<String>> t = new ArrayList<>();
      for (CompareReport.Gap g : r.gaps()) {
        t.add(List.of(g.set(), CompareReport.fmt(g.rawAuroc()) + " " + CompareReport.fmt(g.rawAurocCi()),
            CompareReport.fmt(g.disentangledAuroc()) + " " + CompareReport.fmt(g.disentangledAurocCi()),
            String.format(java.util.Locale.ROOT, "%+.3f", g.aurocDifference()), CompareReport.fmt(g.rawTprAt1Fpr()),
            CompareReport.fmt(g.disentangledTprAt1Fpr()), g.cisOverlap() ? "yes" : "no"));
      }
      String raw = r.gaps().get(0).raw();
      String dis = r.gaps().get(0).disentangled();
      h.table(List.of("set", "raw AUROC (" + raw + ")", "disentangled AUROC (" + dis + ")", "difference",
          "raw TPR@1%FPR", "disentangled TPR@1%FPR", "CIs overlap"), t);
      r.gaps().forEach(g -> h.paragraph(g.statement()));
    }
    r.views().forEach((k, v) -> {
      if (v.layerValidationAuroc() != null) {
        List<List<String>> t = new ArrayList<>();
        v.layerValidationAuroc().forEach((l, a) -> t.add(List.of(Integer.toString(l), CompareReport.fmt(a))));
        h.heading(k + ": validation AUROC per layer (chose " + v.resolved() + ")").table(List.of("layer", "AUROC"), t);
      }
    });
    return h;
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
