package refusallens.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.dev.ExtractBenchmark;
import refusallens.core.model.Transformer;

/** {@code refusal-lens bench extract}: tokens/s and peak memory of resid_post extraction. */
@Command(
    name = "extract",
    description = {
      "Time eager forward passes over random tokens that capture blocks.L.hook_resid_post for every layer up to",
      "--upto (layers after it are skipped): median tokens/s after warm-up, and peak RSS (VmHWM)."
    })
public final class BenchExtractCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin BenchModelOptions bench;

  @Option(names = "--upto", paramLabel = "L", description = "Last layer captured (default: the last layer).")
  Integer upto;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Transformer model = bench.open(err);
    int last = upto == null ? model.config().shape().numLayers() - 1 : upto;
    ExtractBenchmark.Result r = ExtractBenchmark.run(model,
        new ExtractBenchmark.Options(bench.batch, bench.seq, last, bench.warmup, bench.runs, bench.seed), BenchModelOptions.progress(err));
    PrintWriter out = spec.commandLine().getOut();
    if (bench.jsonOption.json) {
      bench.printJson(out, r, model);
    } else {
      out.printf("%.2f tokens/s (median %.3f s per pass of %d x %d tokens, %d layers), peak RSS %.2f GiB%n",
          r.tokensPerS(), r.medianS(), r.batch(), r.seq(), r.layers(), BenchModelOptions.gib(r.peakRssBytes()));
      out.printf("%.2f tokens per CPU-second (median %.3f CPU-s per pass, all threads)%n", r.tokensPerCpuS(), r.medianCpuS());
      out.printf("%.1f%% of the sgemm rate measured alongside (%.1f GFLOP per CPU-second; %.2f GFLOP per token)%n",
          100 * r.fractionOfSgemm(), r.sgemmGflopPerCpuS(), r.gflopPerToken());
    }
    out.flush();
    return 0;
  }
}
