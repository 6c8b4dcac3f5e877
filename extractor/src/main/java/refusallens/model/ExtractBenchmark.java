package refusallens.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Times eager forward passes that capture {@code hook_resid_post} at every layer up to {@code upto}
 * (early exit after it): tokens/s over the median run after warm-up, and the process's peak RSS.
 */
public final class ExtractBenchmark {
  private ExtractBenchmark() {}

  /** Benchmark settings; {@code upto} is the last captured layer. */
  public record Options(int batch, int seq, int upto, int warmup, int runs, long seed) {
    public Options {
      if (batch <= 0 || seq <= 0 || warmup < 0 || runs <= 0 || upto < 0) {
        throw new IllegalArgumentException(
            "bench needs batch, seq, runs > 0 and upto, warmup >= 0; got batch=" + batch + " seq=" + seq
                + " upto=" + upto + " warmup=" + warmup + " runs=" + runs);
      }
    }
  }

  /** Figures of one benchmark. */
  public record Result(
      double tokensPerS, double medianS, long peakRssBytes, int batch, int seq, int layers, List<Double> runSeconds) {}

  /** Runs the benchmark on random token ids (seeded). */
  public static Result run(Transformer model, Options o, Consumer<String> progress) {
    if (o.upto() >= model.config().numLayers()) {
      throw new IllegalArgumentException(
          "--upto " + o.upto() + " is past the model's last layer " + (model.config().numLayers() - 1));
    }
    Random rng = new Random(o.seed());
    List<int[]> rows = new ArrayList<>();
    for (int b = 0; b < o.batch(); b++) {
      int[] ids = new int[o.seq()];
      for (int s = 0; s < o.seq(); s++) {
        ids[s] = rng.nextInt(model.config().vocabSize());
      }
      rows.add(ids);
    }
    TokenBatch batch = new TokenBatch(rows);
    Set<HookName> capture = new TreeSet<>();
    for (int l = 0; l <= o.upto(); l++) {
      capture.add(HookName.residPost(l));
    }
    ForwardRequest request = ForwardRequest.captureOnly(capture);
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < o.warmup() + o.runs(); i++) {
      long t0 = System.nanoTime();
      ForwardResult r = model.forward(batch, request);
      r.activation(HookName.residPost(o.upto())).sumNumber(); // materialise
      double s = (System.nanoTime() - t0) / 1e9;
      boolean warm = i < o.warmup();
      progress.accept(String.format("%s %d: %.3f s", warm ? "warm-up" : "run", warm ? i + 1 : i - o.warmup() + 1, s));
      if (!warm) {
        times.add(s);
      }
    }
    double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double median = sorted.length % 2 == 1
        ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    double tokens = (double) o.batch() * o.seq();
    return new Result(tokens / median, median, peakRssBytes(), o.batch(), o.seq(), o.upto() + 1, times);
  }

  /** VmHWM of this process from /proc/self/status, in bytes (-1 where /proc is unavailable). */
  public static long peakRssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024L;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  static String describe(Result r) {
    return String.format("%.2f tokens/s, median %.3f s, peak RSS %.2f GiB, runs %s", r.tokensPerS(), r.medianS(),
        r.peakRssBytes() / (double) (1L << 30), Arrays.toString(r.runSeconds().toArray()));
  }
}
