package refusallens.dev;

import com.fasterxml.jackson.annotation.JsonProperty;
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
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.model.arch.DecoderShape;

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
      double tokensPerS,
      double medianS,
      long peakRssBytes,
      int batch,
      int seq,
      int layers,
      @JsonProperty("run_s") List<Double> runSeconds,
      double medianCpuS,
      double gflopPerToken,
      double sgemmGflopPerCpuS) {
    /** Matrix-product GFLOP per CPU-second the model reached, over the sgemm rate measured alongside. */
    @JsonProperty("fraction_of_sgemm")
    public double fractionOfSgemm() {
      return tokensPerCpuS() * gflopPerToken / sgemmGflopPerCpuS;
    }

    /** Tokens per second of process CPU time (all threads): the figure that survives a shared machine. */
    @JsonProperty("tokens_per_cpu_s")
    public double tokensPerCpuS() {
      return batch * (double) seq / medianCpuS;
    }
  }

  /** Runs the benchmark on random token ids (seeded). */
  public static Result run(Transformer model, Options o, Consumer<String> progress) {
    if (o.upto() >= model.config().shape().numLayers()) {
      throw new IllegalArgumentException(
          "--upto " + o.upto() + " is past the model's last layer " + (model.config().shape().numLayers() - 1));
    }
    Random rng = new Random(o.seed());
    List<int[]> rows = new ArrayList<>();
    for (int b = 0; b < o.batch(); b++) {
      int[] ids = new int[o.seq()];
      for (int s = 0; s < o.seq(); s++) {
        ids[s] = rng.nextInt(model.config().shape().vocabSize());
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
    List<Double> cpuTimes = new ArrayList<>();
    for (int i = 0; i < o.warmup() + o.runs(); i++) {
      long t0 = System.nanoTime();
      double c0 = processCpuSeconds();
      ForwardResult r = model.forward(batch, request);
      r.activation(HookName.residPost(o.upto())).sumNumber(); // materialise
      double s = (System.nanoTime() - t0) / 1e9;
      double cpu = processCpuSeconds() - c0;
      boolean warm = i < o.warmup();
      progress.accept(String.format("%s %d: %.3f s wall, %.3f s CPU", warm ? "warm-up" : "run",
          warm ? i + 1 : i - o.warmup() + 1, s, cpu));
      if (!warm) {
        times.add(s);
        cpuTimes.add(cpu);
      }
    }
    double median = median(times);
    double tokens = (double) o.batch() * o.seq();
    DecoderShape shape = model.config().shape();
    double sgemm = sgemmGflopPerCpuS(o.batch() * o.seq(), shape.dModel(), shape.dMlp());
    progress.accept(String.format("sgemm [%d x %d] x [%d x %d]^T: %.1f GFLOP per CPU-second", o.batch() * o.seq(),
        shape.dModel(), shape.dMlp(), shape.dModel(), sgemm));
    return new Result(tokens / median, median, peakRssBytes(), o.batch(), o.seq(), o.upto() + 1, times,
        median(cpuTimes), gflopPerToken(shape, o.upto() + 1), sgemm);
  }

  /** Matrix-product GFLOP of one token through {@code layers} layers (projections and MLP; attention scores excluded). */
  public static double gflopPerToken(DecoderShape shape, int layers) {
    double d = shape.dModel();
    double q = (double) shape.numHeads() * shape.headDim();
    double kv = (double) shape.numKvHeads() * shape.headDim();
    double perLayer = 2 * (d * q * 2 + d * kv * 2 + 3 * d * shape.dMlp());
    return perLayer * layers / 1e9;
  }

  /** Best of three sgemm runs of the model's MLP shape, in GFLOP per CPU-second (same BLAS, same machine load). */
  public static double sgemmGflopPerCpuS(int m, int k, int n) {
    org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, m, k);
    org.nd4j.linalg.api.ndarray.INDArray w = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, k);
    double best = 0;
    for (int i = 0; i < 3; i++) {
      double c0 = processCpuSeconds();
      org.nd4j.linalg.factory.Nd4j.matmul(x, w, false, true, false);
      double cpu = processCpuSeconds() - c0;
      best = Math.max(best, 2.0 * m * k * n / 1e9 / Math.max(cpu, 0.01));
    }
    return best;
  }

  /** The median of {@code values} (the mean of the middle two for an even count). */
  public static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted.length % 2 == 1
        ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  /** User + system CPU time of the whole process (JVM and native BLAS threads), from /proc/self/stat. */
  public static double processCpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
      return ticks / 100.0; // USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
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
