package refusallens.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.dev.GenerationBenchmark;
import refusallens.core.model.Transformer;

/** {@code refusal-lens bench generate}: new tokens/s of greedy generation under an SAE feature clamp. */
@Command(
    name = "generate",
    description = {
      "Time greedy generation with the KV cache over a batch of random prompts, with seeded random JumpReLU SAEs",
      "clamping features at --clamp-layers: new tokens/s (prefill included), CPU-seconds per new token, peak RSS."
    })
public final class BenchGenerateCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin BenchModelOptions bench = new BenchModelOptions(4, 32);

  /** The old name of --seq here, kept so that recorded commands still run. */
  @Option(names = "--prompt-len", hidden = true, paramLabel = "S", description = "Deprecated: use --seq.")
  void promptLength(int tokens) {
    bench.seq = tokens;
  }

  @Option(names = "--new-tokens", defaultValue = "32", description = "Tokens generated per prompt (default ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--clamp-layers", split = ",", paramLabel = "L",
      description = "Layers with an SAE clamp (default: 4 layers spread over the model).")
  List<Integer> clampLayers;

  @Option(names = "--d-sae", defaultValue = "16384", description = "Width of the random SAEs (default ${DEFAULT-VALUE}).")
  int dSae;

  @Option(names = "--clamped-features", defaultValue = "4", description = "Features clamped per layer (default ${DEFAULT-VALUE}).")
  int clampedFeatures;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Transformer model = bench.open(err);
    int n = model.config().shape().numLayers();
    List<Integer> at = clampLayers;
    if (at == null) {
      at = new ArrayList<>();
      for (int i = 0; i < Math.min(4, n); i++) {
        at.add((int) ((i + 1L) * n / (Math.min(4, n) + 1)));
      }
    }
    Path saeDir = Files.createTempDirectory("bench-generate-saes");
    GenerationBenchmark.Result r;
    try {
      r = GenerationBenchmark.run(model, new GenerationBenchmark.Options(bench.batch, bench.seq, newTokens, at, dSae,
          clampedFeatures, bench.warmup, bench.runs, bench.seed), saeDir, BenchModelOptions.progress(err));
    } finally {
      try (var files = Files.walk(saeDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (bench.jsonOption.json) {
      bench.printJson(out, r, model);
    } else {
      out.printf("%.2f new tokens/s (median %.3f s for %d x %d new tokens after %d-token prompts, clamps at layers %s),"
          + " peak RSS %.2f GiB%n", r.newTokensPerS(), r.medianS(), r.batch(), r.newTokens(), r.promptLength(),
          r.clampLayers(), BenchModelOptions.gib(r.peakRssBytes()));
      out.printf("%.4f CPU-seconds per new token (all threads)%n", r.cpuSPerNewToken());
    }
    out.flush();
    return 0;
  }
}
