package refusallens.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import refusallens.lens.Lens;
import refusallens.lens.LensOptions;
import refusallens.core.model.Transformer;
import refusallens.core.model.weights.WeightStore;

/** What every {@code dev bench} command over a model takes (a picocli mixin): the model, residency, runs, --json. */
final class BenchModelOptions {
  @CommandLine.Mixin ModelOption modelOption;

  @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--runs", defaultValue = "3", description = "Timed runs (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--streamed", description = "Keep weights as mapped bf16 and widen per layer at use (less memory, slower).")
  boolean streamed;

  @CommandLine.Mixin JsonOption jsonOption = new JsonOption();

  /** Seconds the last {@link #open} took. */
  double loadSeconds;

  /** Opens the model (weights resident, or streamed) and says on {@code err} what it loaded and how long it took. */
  Transformer open(PrintWriter err) {
    Path modelDir = modelOption.existingDir();
    long t0 = System.nanoTime();
    Transformer model = Lens.open(modelDir, LensOptions.defaults()
        .withResidency(streamed ? WeightStore.Residency.STREAMED : WeightStore.Residency.RESIDENT)).model();
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

  /** Adds what every model bench's --json records about the run itself: load time, residency, model type, threads. */
  void putRunContext(Map<String, Object> report, Transformer model) {
    report.put("load_s", loadSeconds);
    report.put("weights", streamed ? "streamed" : "resident");
    report.put("model_type", model.config().architecture().modelType());
    report.put("threads", Runtime.getRuntime().availableProcessors());
  }

  /** {@code bytes} in GiB, as the text reports print peak RSS. */
  static double gib(long bytes) {
    return bytes / (double) (1L << 30);
  }
}
