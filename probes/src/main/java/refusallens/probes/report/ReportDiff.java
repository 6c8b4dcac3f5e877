package refusallens.probes.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import refusallens.probes.ProbeExperiment;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.report.HtmlReport;

/**
 * {@code probes diff}: lines up two or more compare reports view by view and set by set (ID, then each OOD
 * set); every report after the first is compared with the first (AUROC difference, CI overlap). Each
 * report's seeds, store manifest hash and resolved views are listed, with a warning for each that differs
 * from the first report's (then the numbers differ for that reason too, not only for the one under study).
 */
public record ReportDiff(
    int schemaVersion, String kind, List<String> reports, List<Source> sources, List<String> warnings, List<Line> lines) {
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  public ReportDiff {
    reports = List.copyOf(reports);
    sources = List.copyOf(sources);
    warnings = List.copyOf(warnings);
    lines = List.copyOf(lines);
  }

  /** What one report was computed from: seeds (primary first), store manifest hash, view -> resolved view. */
  public record Source(
      String report,
      @JsonProperty("primary_seed") long primarySeed,
      List<Long> seeds,
      @JsonProperty("store_manifest_hash") String storeManifestHash,
      @JsonProperty("resolved_views") Map<String, String> resolvedViews) {}

  /** One report's numbers on a (view, set); null fields when the report lacks it. */
  public record Cell(
      Double auroc,
      @JsonProperty("auroc_ci") double[] aurocCi,
      @JsonProperty("tpr_at_1fpr") Double tprAt1Fpr,
      Double accuracy,
      @JsonProperty("auroc_difference") Double aurocDifference,
      @JsonProperty("cis_overlap") Boolean cisOverlap) {}

  /** A (view, set) line across the reports. */
  public record Line(String view, String set, List<Cell> cells) {}

  /** Reads and lines up the reports. */
  public static ReportDiff of(List<Path> files) {
    if (files.size() < 2) throw new IllegalArgumentException("probes diff needs at least two report.json files");
    List<CompareReport> reps = new ArrayList<>();
    for (Path f : files) reps.add(CompareReport.read(f));
    Set<String> views = new LinkedHashSet<>();
    reps.forEach(r -> views.addAll(r.views().keySet()));
    List<Line> lines = new ArrayList<>();
    for (String v : views) {
      Set<String> sets = new LinkedHashSet<>();
      sets.add(ProbeExperiment.ID);
      reps.forEach(r -> { if (r.views().containsKey(v)) sets.addAll(r.views().get(v).ood().keySet()); });
      for (String s : sets) {
        List<Cell> cells = new ArrayList<>();
        BinaryMetrics base = metrics(reps.get(0), v, s);
        for (CompareReport r : reps) {
          BinaryMetrics m = metrics(r, v, s);
          if (m == null) {
            cells.add(new Cell(null, null, null, null, null, null));
            continue;
          }
          Double diff = base == null || cells.isEmpty() ? null : m.auroc() - base.auroc();
          Boolean overlap = base == null || cells.isEmpty() ? null : CompareReport.overlap(base.aurocCi(), m.aurocCi());
          cells.add(new Cell(m.auroc(), m.aurocCi(), m.tprAt1Fpr(), m.accuracy(), diff, overlap));
        }
        lines.add(new Line(v, s, cells));
      }
    }
    List<Source> sources = new ArrayList<>();
    for (int i = 0; i < reps.size(); i++) {
      CompareReport r = reps.get(i);
      Map<String, String> resolved = new LinkedHashMap<>();
      r.views().forEach((k, v) -> resolved.put(k, v.resolved()));
      sources.add(new Source(files.get(i).toString(), r.provenance().seed(), r.seeds(), r.provenance().storeManifestHash(), resolved));
    }
    return new ReportDiff(SCHEMA_VERSION, "probe-diff", files.stream().map(Path::toString).toList(), sources,
        warnings(sources), lines);
  }

  /** One warning per report whose seeds, store or resolved views differ from the first report's. */
  static List<String> warnings(List<Source> sources) {
    List<String> out = new ArrayList<>();
    Source a = sources.get(0);
    for (int i = 1; i < sources.size(); i++) {
      Source b = sources.get(i);
      String name = String.valueOf((char) ('A' + i));
      if (a.primarySeed() != b.primarySeed() || !a.seeds().equals(b.seeds())) {
        out.add(name + " has seeds " + b.seeds() + " (primary " + b.primarySeed() + "), A has " + a.seeds() + " (primary "
            + a.primarySeed() + "): differences include seed variation");
      }
      if (!java.util.Objects.equals(a.storeManifestHash(), b.storeManifestHash())) {
        out.add(name + " was computed on another activation store (manifest " + b.storeManifestHash() + " vs A's "
            + a.storeManifestHash() + ")");
      }
      for (var e : b.resolvedViews().entrySet()) {
        String ra = a.resolvedViews().get(e.getKey());
        if (ra != null && !ra.equals(e.getValue())) {
          out.add(name + " resolves view " + e.getKey() + " to " + e.getValue() + ", A to " + ra);
        }
      }
      if (!a.resolvedViews().keySet().equals(b.resolvedViews().keySet())) {
        out.add(name + " has views " + b.resolvedViews().keySet() + ", A has " + a.resolvedViews().keySet());
      }
    }
    return out;
  }

  private String sourceLines() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < sources.size(); i++) {
      Source s = sources.get(i);
      b.append((char) ('A' + i)).append(": ").append(s.report()).append("\n   seeds ").append(s.seeds()).append(" (primary ")
          .append(s.primarySeed()).append("), store manifest ").append(s.storeManifestHash()).append("\n   views ")
          .append(s.resolvedViews()).append('\n');
    }
    for (String w : warnings) b.append("WARNING: ").append(w).append('\n');
    return b.toString();
  }

  private static BinaryMetrics metrics(CompareReport r, String view, String set) {
    CompareReport.ViewResult v = r.views().get(view);
    if (v == null) return null;
    return set.equals(ProbeExperiment.ID) ? v.id() : v.ood().get(set);
  }

  private List<String> header() {
    List<String> h = new ArrayList<>(List.of("view", "set"));
    for (int i = 0; i < reports.size(); i++) {
      h.add("AUROC [" + (char) ('A' + i) + "]");
      if (i > 0) h.add("diff vs A");
      if (i > 0) h.add("CIs overlap");
    }
    return h;
  }

  private List<List<String>> table() {
    List<List<String>> rows = new ArrayList<>();
    for (Line l : lines) {
      List<String> r = new ArrayList<>(List.of(l.view(), l.set()));
      for (int i = 0; i < l.cells().size(); i++) {
        Cell c = l.cells().get(i);
        r.add(c.auroc() == null ? "-" : CompareReport.fmt(c.auroc()) + " " + CompareReport.fmt(c.aurocCi()));
        if (i > 0) {
          r.add(c.aurocDifference() == null ? "-" : String.format(Locale.ROOT, "%+.3f", c.aurocDifference()));
          r.add(c.cisOverlap() == null ? "-" : c.cisOverlap() ? "yes" : "no");
        }
      }
      rows.add(r);
    }
    return rows;
  }

  /** A plain-text table, columns aligned. */
  public String toText() {
    List<List<String>> all = new ArrayList<>();
    all.add(header());
    all.addAll(table());
    int cols = all.get(0).size();
    int[] w = new int[cols];
    for (List<String> r : all) for (int j = 0; j < cols; j++) w[j] = Math.max(w[j], r.get(j).length());
    StringBuilder b = new StringBuilder();
    b.append(sourceLines());
    for (List<String> r : all) {
      for (int j = 0; j < cols; j++) b.append(String.format("%-" + (w[j] + 2) + "s", r.get(j)));
      b.append('\n');
    }
    return b.toString();
  }

  /** The HTML page. */
  public HtmlReport toHtml() {
    HtmlReport h = new HtmlReport("Probe report diff");
    for (String line : sourceLines().split("\n")) h.paragraph(line);
    h.table(header(), table());
    return h;
  }

  /** The JSON text. */
  public String toJson() {
    try {
      return CompareReport.JSON.writeValueAsString(this);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
