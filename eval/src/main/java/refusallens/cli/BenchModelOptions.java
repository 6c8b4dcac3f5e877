package refusallens.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import refusallens.lens.Lens;
import refusallens.lens.LensOptions;
import refusallens.core.model.Transformer;

/**
 * What every {@code dev bench} command over a model takes (a picocli mixin): the model, residency, batch, tokens per
 * prompt, seed, runs, --json. A command with other default sizes initialises the mixin field with
 * {@link #BenchModelOptions(int, int)}.
 */
final class BenchModelOptions {
  @CommandLine.Mixin ModelOption modelOption;

  @Option(names = "--batch", description = "Prompts per pass (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--seq", description = "Tokens per prompt (default ${DEFAULT-VALUE}).")
  int seq;

  @Option(names = "--seed", description = "Seed of the random tokens, and of the direction or SAEs the benchmark draws (default ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--runs", defaultValue = "3", description = "Timed runs (default ${DEFAULT-VALUE}).")
  int runs;

  @CommandLine.Mixin StreamedOption streamedOption;

  @CommandLine.Mixin JsonOption jsonOption = new JsonOption();

  BenchModelOptions() {
    this(4, 64);
  }

  BenchModelOptions(int defaultBatch, int defaultSeq) {
    this.batch = defaultBatch;
    this.seq = defaultSeq;
  }

  /** Seconds the last {@link #open} took. */
  double loadSeconds;

  /** Opens the model (weights resident, or streamed) and says on {@code err} what it loaded and how long it took. */
  Transformer open(PrintWriter err) {
    Path modelDir = modelOption.existingDir();
    long t0 = System.nanoTime();
    Transformer model = Lens.open(modelDir, LensOptions.defaults()
        .withResidency(streamedOption.residency())).model();
    loadSeconds = (System.nanoTime() - t0) / 1e9;
    err.printf("loaded %s (%s, %d layers) in %.1f s%n", modelDir, model.config().architecture().modelType(),
        model.config().shape().numLayers(), loadSeconds);
    err.flush();
    return model;
  }

  /** Where a benchmark's progress lines go: {@code err}, flushed per line so a long run shows it is alive. */
  static Consumer<String> progress(PrintWriter err) {
    return line -> {
      err.println(line);
      err.flush();
    };
  }

  /**
   * Prints a benchmark's result record as the --json document: its components and figures (the record names its
   * keys), then the run context of {@link #putRunContext}.
   */
  void printJson(PrintWriter out, Object result, Transformer model) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("schema_version", 1);
    doc.putAll(CliJson.MAPPER.convertValue(result, new TypeReference<Map<String, Object>>() {}));
    putRunContext(doc, model);
    CliJson.print(out, doc);
  }

  /** Adds what every model bench's --json records about the run itself: load time, residency, model type, threads. */
  void putRunContext(Map<String, Object> report, Transformer model) {
    report.put("load_s", loadSeconds);
    report.put("weights", streamedOption.streamed ? "streamed" : "resident");
    report.put("model_type", model.config().architecture().modelType());
    report.put("threads", Runtime.getRuntime().availableProcessors());
  }

  /** {@code bytes} in GiB, as the text reports print peak RSS. */
  static double gib(long bytes) {
    return bytes / (double) (1L << 30);
  }
}
