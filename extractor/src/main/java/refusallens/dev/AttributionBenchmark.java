package refusallens.dev;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.intervention.DirectionAblation;
import refusallens.dev.ExtractBenchmark;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogProbMetric;
import refusallens.core.model.LogitScope;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.refusal.AttributionPatching;

/**
 * Times the integrated-gradients pass of attribution patching ({@link AttributionPatching#meanResidGradients}):
 * per step, one forward with every SAE layer spliced to its interpolated residual stream and one backward to
 * each of those layers, on random prompts with a random direction ablated for the patched run (seeded).
 */
public final class AttributionBenchmark {
  private AttributionBenchmark() {}

  /** Benchmark settings: {@code layers} are the SAE layers differentiated to; {@code steps} IG steps per timed run. */
  public record Options(int batch, int seq, List<Integer> layers, int steps, int warmup, int runs, long seed) {
    public Options {
      if (batch <= 0 || seq < 2 || steps <= 0 || warmup < 0 || runs <= 0 || layers.isEmpty()) {
        throw new IllegalArgumentException("bench attribution needs batch, steps, runs > 0, seq >= 2, warmup >= 0 and"
            + " at least one layer; got batch=" + batch + " seq=" + seq + " steps=" + steps + " warmup=" + warmup
            + " runs=" + runs + " layers=" + layers);
      }
      layers = List.copyOf(new TreeSet<>(layers));
    }
  }

  /**
   * Figures per IG step (one forward + backward over batch x seq tokens): wall and process CPU seconds of the
   * median run divided by its steps.
   */
  public record Result(int batch, int seq, List<Integer> layers, int steps,
      @JsonProperty("step_s") List<Double> stepSeconds, double medianStepS, double medianStepCpuS, long peakRssBytes) {
    /** Prompt tokens through one IG step per wall second. */
    @JsonProperty("tokens_per_s")
    public double tokensPerS() {
      return batch * (double) seq / medianStepS;
    }

    /** Process CPU seconds (all threads) per token of one IG step. */
    @JsonProperty("cpu_s_per_token")
    public double cpuSPerToken() {
      return medianStepCpuS / (batch * (double) seq);
    }
  }

  /** Runs the benchmark. */
  public static Result run(Transformer model, Options o, Consumer<String> progress) {
    int layers = model.config().shape().numLayers();
    for (int l : o.layers()) {
      if (l < 0 || l >= layers) {
        throw new IllegalArgumentException("--layers: layer " + l + " is outside the model's 0.." + (layers - 1));
      }
    }
    Random rng = new Random(o.seed());
    int vocab = model.config().shape().vocabSize();
    List<int[]> rows = new ArrayList<>();
    for (int b = 0; b < o.batch(); b++) {
      int[] ids = new int[o.seq()];
      for (int s = 0; s < o.seq(); s++) {
        ids[s] = rng.nextInt(vocab);
      }
      rows.add(ids);
    }
    TokenBatch tb = new TokenBatch(rows);
    float[] dir = new float[model.config().shape().dModel()];
    for (int i = 0; i < dir.length; i++) {
      dir[i] = (float) rng.nextGaussian();
    }
    DirectionAblation patch = DirectionAblation.of(Nd4j.createFromArray(dir));
    Set<HookName> capture = new TreeSet<>();
    o.layers().forEach(l -> capture.add(HookName.residPost(l)));
    ForwardResult c = model.forward(tb, new ForwardRequest(capture, Hooks.none(), LogitScope.NONE));
    ForwardResult x = model.forward(tb, new ForwardRequest(capture, patch.everyLayer(layers), LogitScope.NONE));
    Map<Integer, INDArray> clean = new HashMap<>();
    Map<Integer, INDArray> patched = new HashMap<>();
    for (int l : o.layers()) {
      clean.put(l, c.activation(HookName.residPost(l)));
      patched.put(l, x.activation(HookName.residPost(l)));
    }
    LogProbMetric metric = LogProbMetric.lastTokenDifference(tb, rng.nextInt(vocab), rng.nextInt(vocab));

    List<Double> stepS = new ArrayList<>();
    List<Double> stepCpuS = new ArrayList<>();
    for (int i = 0; i < o.warmup() + o.runs(); i++) {
      long t0 = System.nanoTime();
      double c0 = ExtractBenchmark.processCpuSeconds();
      Map<Integer, INDArray> g =
          AttributionPatching.meanResidGradients(model, tb, clean, patched, metric, o.steps(), Progress.NONE);
      g.values().forEach(INDArray::sumNumber); // materialise
      double s = (System.nanoTime() - t0) / 1e9 / o.steps();
      double cpu = (ExtractBenchmark.processCpuSeconds() - c0) / o.steps();
      boolean warm = i < o.warmup();
      progress.accept(String.format("%s %d: %.3f s wall, %.3f s CPU per IG step", warm ? "warm-up" : "run",
          warm ? i + 1 : i - o.warmup() + 1, s, cpu));
      if (!warm) {
        stepS.add(s);
        stepCpuS.add(cpu);
      }
    }
    return new Result(o.batch(), o.seq(), o.layers(), o.steps(), stepS, ExtractBenchmark.median(stepS),
        ExtractBenchmark.median(stepCpuS), ExtractBenchmark.peakRssBytes());
  }
}
