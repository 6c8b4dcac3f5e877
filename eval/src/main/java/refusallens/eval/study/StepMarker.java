package refusallens.eval.study;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import refusallens.files.AtomicFiles;
import refusallens.core.io.ContentHash;

/**
 * The record a finished study step leaves in {@code OUT/steps/<step>.json}: the hash of its inputs and of
 * each output. A step is reused only when its marker names the same inputs and every output still hashes
 * to the recorded value. It also records the step's wall seconds, process CPU-seconds and the process's peak
 * RSS (VmHWM) when the step ended (0 in markers written before these were recorded).
 */
public record StepMarker(
    int schemaVersion, String step, String inputsHash, Map<String, String> outputs, double seconds, double cpuSeconds,
    long peakRssBytes) {
  /** The check's reason for a marker whose recorded inputs differ from the run's. */
  public static final String INPUTS_CHANGED = "its inputs changed";
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public StepMarker {
    outputs = new LinkedHashMap<>(outputs);
  }

  /** The marker file of {@code step} under {@code out}. */
  public static Path file(Path out, String step) {
    return out.resolve("steps").resolve(step + ".json");
  }

  /** A marker for outputs (paths relative to {@code out}) that exist now, without cost figures. */
  public static StepMarker of(Path out, String step, String inputsHash, List<String> outputs, double seconds) {
    return of(out, step, inputsHash, outputs, seconds, 0, 0);
  }

  /** A marker for outputs (paths relative to {@code out}) that exist now, with the step's cost. */
  public static StepMarker of(Path out, String step, String inputsHash, List<String> outputs, double seconds,
      double cpuSeconds, long peakRssBytes) {
    Map<String, String> hashes = new LinkedHashMap<>();
    for (String rel : outputs) {
      hashes.put(rel, hash(out.resolve(rel)));
    }
    return new StepMarker(SCHEMA_VERSION, step, inputsHash, hashes, seconds, cpuSeconds, peakRssBytes);
  }

  /** Hash of a file or of every file under a directory; null when it does not exist. */
  static String hash(Path p) {
    if (Files.isDirectory(p)) {
      return ContentHash.ofDirectory(p);
    }
    return Files.isRegularFile(p) ? ContentHash.ofFiles(List.of(p)) : null;
  }

  /** The combined hash of the outputs (what later steps record as their input). */
  public String outputsHash() {
    return ContentHash.ofText(step + outputs);
  }

  /**
   * The verdict on {@code step}'s marker: reusable (the marker), or why not. The reason is null when there is
   * no marker (a first run) and names the cause otherwise (an output that does not hash to the recorded value,
   * changed inputs, an unreadable marker).
   */
  public record Check(StepMarker marker, String reason) {}

  /** Checks the marker of {@code step} against {@code inputsHash} and re-hashes every output it records. */
  public static Check check(Path out, String step, String inputsHash) {
    Path f = file(out, step);
    if (!Files.isRegularFile(f)) {
      return new Check(null, null);
    }
    StepMarker m;
    try {
      m = JSON.readValue(f.toFile(), StepMarker.class);
    } catch (IOException e) {
      return new Check(null, "its marker " + f + " is unreadable"); // torn or foreign: recompute the step
    }
    if (m.schemaVersion() != SCHEMA_VERSION || !step.equals(m.step())) {
      return new Check(null, "its marker " + f + " is of another schema or step");
    }
    if (!inputsHash.equals(m.inputsHash())) {
      return new Check(null, INPUTS_CHANGED);
    }
    for (Map.Entry<String, String> e : m.outputs().entrySet()) {
      String have = hash(out.resolve(e.getKey()));
      if (have == null) {
        return new Check(null, "its output " + e.getKey() + " is missing");
      }
      if (!have.equals(e.getValue())) {
        return new Check(null, "its output " + e.getKey() + " does not match the hash its marker recorded");
      }
    }
    return new Check(m, null);
  }

  /** Writes the marker atomically (a crash leaves the old marker or none). */
  public void write(Path out) {
    Path f = file(out, step);
    AtomicFiles.writeWith(f, tmp -> JSON.writeValue(tmp.toFile(), this));
  }
}
