package refusallens.dev;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.dev.ExtractBenchmark;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeArchitecture;
import refusallens.core.sae.SaeLensWriter;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.InterventionHooks;
import refusallens.core.intervention.Positions;

/**
 * Times greedy generation with the KV cache under a feature clamp at several layers (the clamp evaluation's
 * hot path): a batch of random prompts, every row generating exactly {@code newTokens} (stop tokens ignored), with
 * seeded random JumpReLU SAEs at the clamp layers, each clamping a few features to a value at every position.
 */
public final class GenerationBenchmark {
  private GenerationBenchmark() {}

  /** Benchmark settings. */
  public record Options(int batch, int promptLength, int newTokens, List<Integer> clampLayers, int dSae,
      int clampedFeatures, int warmup, int runs, long seed) {
    public Options {
      if (batch <= 0 || promptLength <= 0 || newTokens <= 0 || dSae <= 0 || clampedFeatures <= 0
          || clampedFeatures > dSae || warmup < 0 || runs <= 0) {
        throw new IllegalArgumentException("bench generate needs batch, prompt length, new tokens, d_sae, runs > 0,"
            + " 1 <= clamped features <= d_sae and warmup >= 0; got batch=" + batch + " prompt=" + promptLength
            + " new=" + newTokens + " d_sae=" + dSae + " clamped=" + clampedFeatures + " warmup=" + warmup
            + " runs=" + runs);
      }
      clampLayers = List.copyOf(new TreeSet<>(clampLayers));
    }
  }

  /** Figures of the median run: new tokens (batch x newTokens) per wall second, prefill included. */
  public record Result(int batch, @JsonProperty("prompt_len") int promptLength, int newTokens, List<Integer> clampLayers, int dSae,
      @JsonProperty("run_s") List<Double> runSeconds, double medianS, double medianCpuS, long peakRssBytes) {
    /** New tokens per wall second, the --json {@code tokens_per_s} as in the other benchmarks. */
    @JsonProperty("tokens_per_s")
    public double newTokensPerS() {
      return batch * (double) newTokens / medianS;
    }

    /** Process CPU seconds (all threads) per new token. */
    @JsonProperty("cpu_s_per_token")
    public double cpuSPerNewToken() {
      return medianCpuS / (batch * (double) newTokens);
    }
  }

  /** Runs the benchmark; the random SAEs are written under {@code saeDir} (SAELens layout) and loaded from there. */
  public static Result run(Transformer model, Options o, Path saeDir, Consumer<String> progress) {
    int layers = model.config().shape().numLayers();
    int d = model.config().shape().dModel();
    int vocab = model.config().shape().vocabSize();
    Random rng = new Random(o.seed());
    Hooks<INDArray> hooks = Hooks.none();
    for (int layer : o.clampLayers()) {
      if (layer < 0 || layer >= layers) {
        throw new IllegalArgumentException("--clamp-layers: layer " + layer + " is outside the model's 0.." + (layers - 1));
      }
      Sae sae = randomSae(saeDir.resolve("L" + layer), layer, d, o.dSae(), rng);
      List<Integer> feats = new ArrayList<>();
      for (int i = 0; i < o.clampedFeatures(); i++) {
        feats.add(i * (o.dSae() / o.clampedFeatures()));
      }
      FeatureIntervention iv = new FeatureIntervention(layer, feats, null, 8.0, Positions.ALL);
      hooks = hooks.with(sae.hook(), InterventionHooks.clampAt(sae, List.of(iv)));
    }
    List<int[]> rows = new ArrayList<>();
    for (int b = 0; b < o.batch(); b++) {
      int[] ids = new int[o.promptLength()];
      for (int s = 0; s < ids.length; s++) {
        ids[s] = rng.nextInt(vocab);
      }
      rows.add(ids);
    }
    TokenBatch prompts = new TokenBatch(rows);
    GenerationOptions gen = GenerationOptions.greedy(model, o.newTokens()).withoutStops();
    List<Double> times = new ArrayList<>();
    List<Double> cpuTimes = new ArrayList<>();
    for (int i = 0; i < o.warmup() + o.runs(); i++) {
      long t0 = System.nanoTime();
      double c0 = ExtractBenchmark.processCpuSeconds();
      List<int[]> out = model.generateGreedy(prompts, gen, hooks);
      double s = (System.nanoTime() - t0) / 1e9;
      double cpu = ExtractBenchmark.processCpuSeconds() - c0;
      for (int[] r : out) {
        if (r.length != o.newTokens()) {
          throw new IllegalStateException("a row generated " + r.length + " tokens, not " + o.newTokens());
        }
      }
      boolean warm = i < o.warmup();
      progress.accept(String.format("%s %d: %.3f s wall, %.3f s CPU", warm ? "warm-up" : "run",
          warm ? i + 1 : i - o.warmup() + 1, s, cpu));
      if (!warm) {
        times.add(s);
        cpuTimes.add(cpu);
      }
    }
    return new Result(o.batch(), o.promptLength(), o.newTokens(), o.clampLayers(), o.dSae(), times,
        ExtractBenchmark.median(times), ExtractBenchmark.median(cpuTimes), ExtractBenchmark.peakRssBytes());
  }

  /** A JumpReLU SAE with Gaussian encoder/decoder (scaled by 1/sqrt(fan-in)) and small thresholds, written and loaded. */
  private static Sae randomSae(Path dir, int layer, int d, int m, Random rng) {
    INDArray wEnc = gaussian(rng, 1 / Math.sqrt(d), d, m);
    INDArray wDec = gaussian(rng, 1 / Math.sqrt(m), m, d);
    INDArray threshold = gaussian(rng, 0.01, m).addi(0.05);
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create " + dir, e);
    }
    SaeLensWriter.write(dir, SaeArchitecture.JUMPRELU, HookName.residPost(layer), false, OptionalInt.empty(), wEnc,
        Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, m), wDec,
        Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, d), threshold);
    return Sae.load(dir);
  }

  private static INDArray gaussian(Random rng, double scale, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * scale);
    }
    return Nd4j.create(v, shape, 'c');
  }
}
