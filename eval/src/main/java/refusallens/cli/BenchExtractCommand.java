package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
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
    mixinStandardHelpOptions = true,
    description = {
      "Time eager forward passes over random tokens that capture blocks.L.hook_resid_post for every layer up to",
      "--upto (layers after it are skipped): median tokens/s after warm-up, and peak RSS (VmHWM)."
    })
public final class BenchExtractCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin BenchModelOptions bench;

  @Option(names = "--batch", defaultValue = "4", description = "Prompts per pass (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--seq", defaultValue = "64", description = "Tokens per prompt (default ${DEFAULT-VALUE}).")
  int seq;

  @Option(names = "--upto", paramLabel = "L", description = "Last layer captured (default: the last layer).")
  Integer upto;




  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random token ids (default ${DEFAULT-VALUE}).")
  long seed;


  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Transformer model = bench.open(err);
    int last = upto == null ? model.config().shape().numLayers() - 1 : upto;
    ExtractBenchmark.Result r = ExtractBenchmark.run(model,
        new ExtractBenchmark.Options(batch, seq, last, bench.warmup, bench.runs, seed), BenchModelOptions.progress(err));
    PrintWriter out = spec.commandLine().getOut();
    if (bench.jsonOption.json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("schemaVersion", 1);
      o.put("tokens_per_s", r.tokensPerS());
      o.put("median_s", r.medianS());
      o.put("peak_rss_bytes", r.peakRssBytes());
      o.put("batch", r.batch());
      o.put("seq", r.seq());
      o.put("layers", r.layers());
      o.put("run_s", r.runSeconds());
      o.put("median_cpu_s", r.medianCpuS());
      o.put("tokens_per_cpu_s", r.tokensPerCpuS());
      o.put("gflop_per_token", r.gflopPerToken());
      o.put("sgemm_gflop_per_cpu_s", r.sgemmGflopPerCpuS());
      o.put("fraction_of_sgemm", r.fractionOfSgemm());
      bench.putRunContext(o, model);
      CliJson.print(out, o);
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
