package refusallens.probes;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.ProbeModel;
import refusallens.probes.train.Standardization;

/**
 * A trained probe as saved in {@code probe.json}: view, standardisation, model (weights and bias), decision
 * threshold, metrics per evaluation set, and provenance. {@link #score} is what the classifier service calls.
 *
 * @param threshold the decision threshold on the logit (flag when logit >= threshold), chosen on validation
 *     for {@code targetFpr}; {@link #thresholdProbability} is the same on the probability scale
 * @param lambda the L2 penalty chosen by cross-validation (logistic only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Probe(
    int schemaVersion,
    String kind,
    ProbeKind probeModel,
    ProbeView view,
    Standardization standardization,
    ProbeModel model,
    double threshold,
    double targetFpr,
    Double lambda,
    Map<String, BinaryMetrics> metrics,
    ProbeProvenance provenance) {
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** The {@code kind} value of probe files. */
  public static final String KIND = "probe";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public Probe {
    if (schemaVersion != SCHEMA_VERSION) {
      throw new IllegalArgumentException("probe schemaVersion " + schemaVersion + ": this version reads " + SCHEMA_VERSION);
    }
    if (!KIND.equals(kind)) throw new IllegalArgumentException("probe kind '" + kind + "': expected '" + KIND + "'");
    Objects.requireNonNull(view, "probe view");
    Objects.requireNonNull(standardization, "probe standardization");
    Objects.requireNonNull(model, "probe model");
    if (standardization.width() != view.width() || model.width() != view.width()) {
      throw new IllegalArgumentException(
          "probe: view has " + view.width() + " columns, standardisation " + standardization.width()
              + ", model " + model.width());
    }
    metrics = metrics == null ? Map.of() : new TreeMap<>(metrics);
  }

  /** P(harmful) of one raw feature vector (the view's columns, unstandardised). */
  public double score(double[] features) {
    return model.probability(standardization.apply(features));
  }

  /** The decision value (log-odds of harmful) of one raw feature vector. */
  public double logit(double[] features) {
    return model.logit(standardization.apply(features));
  }

  /** Whether the probe flags the feature vector as harmful (logit >= threshold). */
  public boolean flags(double[] features) {
    return logit(features) >= threshold;
  }

  /** The threshold as a probability (informative; may round to 0 or 1). */
  @com.fasterxml.jackson.annotation.JsonProperty(access = com.fasterxml.jackson.annotation.JsonProperty.Access.READ_ONLY)
  public double thresholdProbability() {
    return ProbeModel.sigmoid(threshold);
  }

  /** Number of input columns. */
  @JsonIgnore
  public int width() {
    return view.width();
  }

  /** Writes the probe as JSON. */
  public void save(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      JSON.writeValue(file.toFile(), this);
    } catch (IOException e) {
      throw new UncheckedIOException("writing probe " + file, e);
    }
  }

  /** Reads a probe file; a malformed file is an error naming it. */
  public static Probe load(Path file) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("probe file " + file + " does not exist");
    try {
      return JSON.readValue(file.toFile(), Probe.class);
    } catch (IOException e) {
      Throwable c = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
      throw new IllegalArgumentException("probe file " + file + ": " + c.getMessage(), e);
    }
  }

  /** The JSON text of this probe. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
