package refusallens.probes.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import refusallens.probes.ProbeProvenance;
import refusallens.probes.metrics.BinaryMetrics;

/**
 * {@code report.json} of {@code probes compare}: per view, the primary seed's ID and OOD metrics (AUROC with
 * bootstrap CI, accuracy, TPR@1%FPR, ...) and the AUROC of every seed; the OOD sets with their sizes and
 * whether they count in the verdict; and the verdict: the disentangled view against each raw layer and
 * baseline, per set by a paired bootstrap on the same prompts, repeated over seeds.
 *
 * @param seeds every seed the split and training were repeated with; {@code provenance.seed} is the primary
 *     one (its probes are saved and detailed in {@code views})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompareReport(
    int schemaVersion,
    String kind,
    ProbeProvenance provenance,
    List<Long> seeds,
    String features,
    Map<String, ViewResult> views,
    @JsonProperty("ood_sets") List<OodSetInfo> oodSets,
    Verdict verdict,
    String finding) {
  /** The schema version this code writes (2: seeds, OOD set sizes, paired verdict; 1 had raw:best gaps). */
  public static final int SCHEMA_VERSION = 2;

  /** The {@code kind} value of compare reports. */
  public static final String KIND = "probe-compare";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public CompareReport {
    if (schemaVersion != SCHEMA_VERSION) {
      throw new IllegalArgumentException("compare report schemaVersion " + schemaVersion + ": this version reads " + SCHEMA_VERSION
          + " (rerun probes compare)");
    }
    if (!KIND.equals(kind)) throw new IllegalArgumentException("report kind '" + kind + "': expected '" + KIND + "'");
    seeds = seeds == null ? List.of() : List.copyOf(seeds);
    views = new LinkedHashMap<>(views);
    oodSets = oodSets == null ? List.of() : List.copyOf(oodSets);
  }

  /** One view's probe (primary seed) and its AUROC over seeds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ViewResult(
      String spec,
      String resolved,
      String probeModel,
      int width,
      Double lambda,
      double threshold,
      BinaryMetrics validation,
      BinaryMetrics id,
      Map<String, BinaryMetrics> ood,
      @JsonProperty("layer_validation_auroc") Map<Integer, Double> layerValidationAuroc,
      @JsonProperty("auroc_over_seeds") Map<String, SeedStats> aurocOverSeeds) {
    public ViewResult {
      ood = new LinkedHashMap<>(ood);
      layerValidationAuroc = layerValidationAuroc == null || layerValidationAuroc.isEmpty() ? null : new LinkedHashMap<>(layerValidationAuroc);
      aurocOverSeeds = aurocOverSeeds == null ? null : new LinkedHashMap<>(aurocOverSeeds);
    }
  }

  /** A quantity over seeds: mean, sample sd (0 for one seed) and the value of each seed in seed order. */
  public record SeedStats(double mean, double sd, List<Double> values) {
    public SeedStats {
      values = List.copyOf(values);
    }

    /** Mean and sd of the finite values (NaN when none). */
    public static SeedStats of(List<Double> values) {
      double[] v = values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
      double mean = v.length == 0 ? Double.NaN : java.util.Arrays.stream(v).average().orElse(Double.NaN);
      double ss = 0;
      for (double x : v) ss += (x - mean) * (x - mean);
      return new SeedStats(mean, v.length < 2 ? 0 : Math.sqrt(ss / (v.length - 1)), values);
    }
  }

  /** An OOD set: its size and whether it counts in the verdict (and why not). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record OodSetInfo(
      String name,
      int positives,
      int negatives,
      @JsonProperty("negatives_from") String negativesFrom,
      @JsonProperty("in_verdict") boolean inVerdict,
      String reason) {}

  /** The disentangled view against one other view on one set, per seed (paired on the same prompts). */
  public record Comparison(
      String against,
      String set,
      @JsonProperty("in_verdict") boolean inVerdict,
      List<SeedComparison> seeds,
      @JsonProperty("difference_over_seeds") SeedStats differenceOverSeeds,
      @JsonProperty("seeds_disentangled_higher") int seedsDisentangledHigher,
      @JsonProperty("seeds_against_higher") int seedsAgainstHigher,
      @JsonProperty("seeds_significant") int seedsSignificant) {
    public Comparison {
      seeds = List.copyOf(seeds);
    }
  }

  /** One seed of a comparison: AUROCs, difference (disentangled - against), its 95% CI and p-value. */
  public record SeedComparison(
      long seed,
      @JsonProperty("against_auroc") double againstAuroc,
      @JsonProperty("disentangled_auroc") double disentangledAuroc,
      double difference,
      @JsonProperty("difference_ci") double[] differenceCi,
      @JsonProperty("p_value") double pValue) {}

  /**
   * The disentangled view against one other view over the verdict's OOD sets: per seed the mean AUROC
   * difference over those sets; its mean +/- sd over seeds, how many seeds agree on its sign, and the outcome.
   */
  public record Summary(
      String against,
      @JsonProperty("mean_ood_difference") SeedStats meanOodDifference,
      @JsonProperty("seeds_disentangled_higher") int seedsDisentangledHigher,
      @JsonProperty("seeds_against_higher") int seedsAgainstHigher,
      @JsonProperty("significant_sets_disentangled_higher") int significantSetsDisentangledHigher,
      @JsonProperty("significant_sets_against_higher") int significantSetsAgainstHigher,
      String outcome) {}

  /**
   * The raw-vs-disentangled verdict.
   *
   * @param minSetSize OOD sets with fewer positives or negatives are shown but not counted
   * @param agreement seeds that must agree on a sign for an outcome other than "unsettled"
   */
  public record Verdict(
      String disentangled,
      List<String> raw,
      List<String> baselines,
      @JsonProperty("verdict_sets") List<String> verdictSets,
      @JsonProperty("min_set_size") int minSetSize,
      int agreement,
      @JsonProperty("alpha") double alpha,
      List<Summary> summaries,
      List<Comparison> comparisons,
      String statement) {
    public Verdict {
      raw = List.copyOf(raw);
      baselines = List.copyOf(baselines);
      verdictSets = List.copyOf(verdictSets);
      summaries = List.copyOf(summaries);
      comparisons = List.copyOf(comparisons);
    }
  }

  /** Whether two intervals [lo, hi] overlap (null intervals count as overlapping: no evidence). */
  public static boolean overlap(double[] a, double[] b) {
    if (a == null || b == null) return true;
    return a[0] <= b[1] && b[0] <= a[1];
  }

  /** Writes the report as JSON. */
  public void write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), this);
  }

  /** The report as JSON text. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Reads a report; a malformed file is an error naming it. */
  public static CompareReport read(Path file) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("report " + file + " does not exist");
    try {
      return JSON.readValue(file.toFile(), CompareReport.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("report " + file + ": not a probes compare report.json: " + e.getMessage(), e);
    }
  }

  /** A metric value for tables: 3 decimals, or "n/a". */
  public static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f", v);
  }

  /** An interval for tables. */
  public static String fmt(double[] ci) {
    return ci == null ? "n/a" : "[" + fmt(ci[0]) + ", " + fmt(ci[1]) + "]";
  }
}
