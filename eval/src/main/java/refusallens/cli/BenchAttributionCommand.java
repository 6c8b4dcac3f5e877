package refusallens.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.core.model.Transformer;
import refusallens.dev.AttributionBenchmark;

/** {@code refusal-lens bench attribution}: tokens/s and peak memory of the integrated-gradients attribution pass. */
@Command(
    name = "attribution",
    description = {
      "Time the attribution-patching pass over random tokens: per integrated-gradients step, one forward with every",
      "--layers resid_post spliced to its interpolation and one backward to each of them. Prints tokens/s per",
      "step, CPU-seconds per token and peak RSS (VmHWM)."
    })
public final class BenchAttributionCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin BenchModelOptions bench = new BenchModelOptions(1, 64);

  @Option(names = "--layers", split = ",", paramLabel = "L", description = "SAE layers differentiated to (default: every layer).")
  List<Integer> layers;

  @Option(names = "--steps", defaultValue = "2", description = "Integrated-gradients steps per timed run (default ${DEFAULT-VALUE}).")
  int steps;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Transformer model = bench.open(err);
    List<Integer> at = layers;
    if (at == null) {
      at = new ArrayList<>();
      for (int l = 0; l < model.config().shape().numLayers(); l++) {
        at.add(l);
      }
    }
    AttributionBenchmark.Result r = AttributionBenchmark.run(model,
        new AttributionBenchmark.Options(bench.batch, bench.seq, at, steps, bench.warmup, bench.runs, bench.seed), BenchModelOptions.progress(err));
    PrintWriter out = spec.commandLine().getOut();
    if (bench.jsonOption.json) {
      bench.printJson(out, r, model);
    } else {
      out.printf("%.2f tokens/s per IG step (median %.3f s per step of %d x %d tokens, gradients to %d layers), peak RSS %.2f GiB%n",
          r.tokensPerS(), r.medianStepS(), r.batch(), r.seq(), r.layers().size(), BenchModelOptions.gib(r.peakRssBytes()));
      out.printf("%.4f CPU-seconds per token (all threads)%n", r.cpuSPerToken());
    }
    out.flush();
    return 0;
  }
}
