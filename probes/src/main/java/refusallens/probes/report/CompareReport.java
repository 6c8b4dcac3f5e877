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
import refusallens.probes.Provenance;
import refusallens.probes.metrics.BinaryMetrics;

/**
 * {@code report.json} of {@code probes compare}: per view, the ID test metrics and each OOD set's metrics
 * (AUROC with bootstrap CI, accuracy, TPR@1%FPR, ...), and the raw-vs-disentangled gaps per OOD set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CompareReport(
    int schemaVersion,
    String kind,
    Provenance provenance,
    String features,
    Map<String, ViewResult> views,
    List<Gap> gaps,
    String finding) {
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** The {@code kind} value of compare reports. */
  public static final String KIND = "probe-compare";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public CompareReport {
    if (schemaVersion != SCHEMA_VERSION) {
      throw new IllegalArgumentException("compare report schemaVersion " + schemaVersion + ": this version reads " + SCHEMA_VERSION);
    }
    if (!KIND.equals(kind)) throw new IllegalArgumentException("report kind '" + kind + "': expected '" + KIND + "'");
    views = new LinkedHashMap<>(views);
    gaps = gaps == null ? List.of() : List.copyOf(gaps);
  }

  /** One view's probe and its results. */
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
      @JsonProperty("layer_validation_auroc") Map<Integer, Double> layerValidationAuroc) {
    public ViewResult {
      ood = new LinkedHashMap<>(ood);
      layerValidationAuroc = layerValidationAuroc == null || layerValidationAuroc.isEmpty() ? null : new LinkedHashMap<>(layerValidationAuroc);
    }
  }

  /** Raw vs disentangled on one evaluation set. */
  public record Gap(
      String set,
      String raw,
      String disentangled,
      @JsonProperty("raw_auroc") double rawAuroc,
      @JsonProperty("raw_auroc_ci") double[] rawAurocCi,
      @JsonProperty("disentangled_auroc") double disentangledAuroc,
      @JsonProperty("disentangled_auroc_ci") double[] disentangledAurocCi,
      @JsonProperty("raw_tpr_at_1fpr") double rawTprAt1Fpr,
      @JsonProperty("disentangled_tpr_at_1fpr") double disentangledTprAt1Fpr,
      @JsonProperty("auroc_difference") double aurocDifference,
      @JsonProperty("cis_overlap") boolean cisOverlap,
      String statement) {}

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
