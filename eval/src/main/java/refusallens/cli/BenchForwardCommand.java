package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.chat.ChatMessage;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.organism.OrganismEvaluator;
import refusallens.lens.Lens;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.HookName;
import refusallens.core.model.LogitScope;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.refusal.DiscoveryData;
import refusallens.core.tokenizer.Tokenizer;

/** {@code refusal-lens bench forward}: ms per hook-free forward pass on the ND4J and the plain-Java backend. */
@Command(
    name = "forward",
    description = {
      "Time hook-free forward passes over batches of chat-formatted prompts on both runtime backends (nd4j, jvm),",
      "interleaved pass by pass so machine load hits both alike: median and mean ms per pass, prompts/s. The pass",
      "captures every blocks.L.hook_resid_post (the classifier's request) unless --logits."
    })
public final class BenchForwardCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelDirOption modelOption;

  @Option(names = "--batch", defaultValue = "1", description = "Prompts per pass (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--iterations", defaultValue = "50", description = "Timed passes per backend (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--warmup", defaultValue = "20", description = "Untimed passes per backend first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--logits", description = "Ask for the logits of every position instead of capturing resid_post.")
  boolean logits;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the built-in prompts when the model has no organism split (default ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws Exception {
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    }
    if (iterations < 1 || warmup < 0) {
      throw new IllegalArgumentException("--iterations must be >= 1 and --warmup >= 0");
    }
    Path dir = ModelDirOption.requireDirectory(modelOption.dir());
    PrintWriter err = spec.commandLine().getErr();
    Lens lens = Lens.open(dir);
    Transformer m = lens.model();
    Tokenizer tok = lens.tokenizer();
    List<int[]> pool = prompts(dir, tok);
    Set<HookName> all = new LinkedHashSet<>();
    for (int l = 0; l < m.config().shape().numLayers(); l++) {
      all.add(HookName.residPost(l));
    }
    ForwardRequest req = logits ? ForwardRequest.logitsOnly() : ForwardRequest.captureOnly(all);
    double meanTokens = pool.stream().mapToInt(r -> r.length).average().orElse(0);
    err.printf("%s: %d layers, d_model %d; %d chat prompts (mean %.1f tokens), batch %d, %s%n", dir,
        m.config().shape().numLayers(), m.config().shape().dModel(), pool.size(), meanTokens, batch,
        logits ? "all logits" : "resid_post of every layer");
    err.flush();

    Transformer.Backend[] backends = {Transformer.Backend.ND4J, Transformer.Backend.PLAIN_JAVA};
    double[][] ms = new double[backends.length][iterations];
    double[][] cpuMs = new double[backends.length][iterations];
    int next = 0;
    long slots = 0;
    long tokens = 0;
    for (int i = -warmup; i < iterations; i++) {
      TokenBatch tb = batchAt(pool, next);
      next += batch;
      if (i >= 0) {
        slots += (long) tb.size() * tb.maxLength();
        tokens += tb.tokenCount();
      }
      for (int b = 0; b < backends.length; b++) {
        long c0 = processCpuNanos();
        long t0 = System.nanoTime();
        m.forward(tb, req, backends[b]);
        double dt = (System.nanoTime() - t0) / 1e6;
        if (i >= 0) {
          ms[b][i] = dt;
          cpuMs[b][i] = (processCpuNanos() - c0) / 1e6;
        }
      }
    }
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("schemaVersion", 1);
    o.put("model", dir.toString());
    o.put("d_model", m.config().shape().dModel());
    o.put("layers", m.config().shape().numLayers());
    o.put("batch", batch);
    o.put("iterations", iterations);
    o.put("mean_prompt_tokens", meanTokens);
    o.put("request", logits ? "logits" : "resid_post");
    o.put("padding_fraction", 1.0 - (double) tokens / slots);
    o.put("auto_backend", Transformer.isSmall(m.config()) ? "jvm" : "nd4j");
    o.put("threads", Runtime.getRuntime().availableProcessors());
    Map<String, Object> per = new LinkedHashMap<>();
    for (int b = 0; b < backends.length; b++) {
      double[] s = ms[b].clone();
      Arrays.sort(s);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("median_ms", s[s.length / 2]);
      r.put("mean_ms", Arrays.stream(s).average().orElse(0));
      r.put("p90_ms", s[(int) Math.min(s.length - 1, Math.ceil(0.9 * s.length) - 1)]);
      r.put("prompts_per_s", batch * 1000.0 / s[s.length / 2]);
      // the OS counts process CPU time in ticks (10 ms): only the mean over many passes means anything
      r.put("mean_cpu_ms", Arrays.stream(cpuMs[b]).average().orElse(0));
      per.put(backends[b].wireName(), r);
    }
    o.put("backends", per);
    double nd4j = (double) ((Map<?, ?>) per.get("nd4j")).get("median_ms");
    double jvm = (double) ((Map<?, ?>) per.get("jvm")).get("median_ms");
    o.put("speedup_jvm_over_nd4j", nd4j / jvm);
    PrintWriter out = spec.commandLine().getOut();
    if (jsonOption.json) {
      CliJson.print(out, o);
    } else {
      for (Map.Entry<String, Object> e : per.entrySet()) {
        Map<?, ?> r = (Map<?, ?>) e.getValue();
        out.printf("%-5s median %8.2f ms  mean %8.2f ms  p90 %8.2f ms per pass of %d prompts  (%.1f prompts/s);"
                + " mean %.2f CPU-ms (all threads)%n",
            e.getKey(), r.get("median_ms"), r.get("mean_ms"), r.get("p90_ms"), batch, r.get("prompts_per_s"),
            r.get("mean_cpu_ms"));
      }
      out.printf("jvm is %.1fx faster than nd4j (medians, interleaved passes; auto picks %s for this model);"
          + " %.0f%% of the batches' slots are left padding%n", nd4j / jvm, o.get("auto_backend"),
          100 * (double) o.get("padding_fraction"));
    }
    out.flush();
    return 0;
  }

  /** CPU time of the whole process (every thread: ND4J's OpenMP pool, the fork-join pool, GC, JIT). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** {@code batch} prompts of the pool starting at {@code start}, wrapping around. */
  private TokenBatch batchAt(List<int[]> pool, int start) {
    List<int[]> rows = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      rows.add(pool.get((start + i) % pool.size()));
    }
    return new TokenBatch(rows);
  }

  /** Chat-formatted held-out prompts, harmful and harmless alternating: the organism's split, else built-in ones. */
  private List<int[]> prompts(Path dir, Tokenizer tok) {
    int n = 32;
    List<Prompt> harmful;
    List<Prompt> harmless;
    if (Files.isRegularFile(dir.resolve("organism-run.json"))) {
      harmful = OrganismEvaluator.testPrompts(dir, Label.HARMFUL, n);
      harmless = OrganismEvaluator.testPrompts(dir, Label.HARMLESS, n);
    } else {
      DiscoveryData d = DiscoveryData.builtin(seed, n);
      harmful = OrganismEvaluator.head(d.harmfulVal(), n);
      harmless = OrganismEvaluator.head(d.harmlessVal(), n);
    }
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < Math.max(harmful.size(), harmless.size()); i++) {
      for (List<Prompt> l : List.of(harmful, harmless)) {
        if (i < l.size()) {
          out.add(tok.encodeChat(List.of(ChatMessage.user(l.get(i).userText())), true));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException(dir + ": no prompts to benchmark with");
    }
    return out;
  }
}
