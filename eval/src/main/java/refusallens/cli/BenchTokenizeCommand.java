package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.core.tokenizer.Tokenizer;

/** {@code refusal-lens bench tokenize DIR}: tokenizer throughput on generated, varied text. */
@Command(
    name = "tokenize",
    description = "Encode N MB of varied text (prose, code, numbers, non-Latin scripts) and print MB/s and tokens/s.")
public final class BenchTokenizeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TOKENIZER_DIR", description = "Directory holding tokenizer.json (or the file).")
  Path dir;

  @Option(names = "--mb", defaultValue = "1", description = "Megabytes (UTF-8) of text to encode per run (default 1).")
  double mb;

  @Option(names = "--runs", defaultValue = "5", description = "Timed runs after two warm-up runs (default 5).")
  int runs;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the text generator (default 1).")
  long seed;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws Exception {
    if (mb <= 0 || mb > 1024) {
      throw new IllegalArgumentException("--mb must be in (0, 1024], got " + mb);
    }
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be >= 1, got " + runs);
    }
    long t0 = System.nanoTime();
    Tokenizer tok = Tokenizer.load(dir);
    double loadS = (System.nanoTime() - t0) / 1e9;
    String text = BenchText.generate((long) (mb * 1_000_000), seed);
    long bytes = text.getBytes(StandardCharsets.UTF_8).length;
    System.err.printf("loaded %s in %.2f s; encoding %d bytes ...%n", tok.source(), loadS, bytes);

    long s = System.nanoTime();
    int tokens = tok.encode(text, false).length;
    double firstS = (System.nanoTime() - s) / 1e9;
    tok.encode(text, false); // second warm-up
    // Wall time, and this thread's CPU time: on a shared, overloaded machine the CPU time is the fairer figure.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] times = new double[runs];
    double[] cpu = new double[runs];
    for (int r = 0; r < runs; r++) {
      long c = threads.getCurrentThreadCpuTime();
      s = System.nanoTime();
      tok.encode(text, false);
      times[r] = (System.nanoTime() - s) / 1e9;
      cpu[r] = (threads.getCurrentThreadCpuTime() - c) / 1e9;
    }
    Arrays.sort(times);
    Arrays.sort(cpu);
    double median = times[runs / 2];
    double medianCpu = cpu[runs / 2];
    double mbPerS = bytes / 1e6 / median;
    double tokPerS = tokens / median;
    if (jsonOption.json) {
      ObjectMapper om = new ObjectMapper();
      ObjectNode o = om.createObjectNode();
      o.put("schemaVersion", 1);
      o.put("bench", "tokenize");
      o.put("tokenizer", tok.source().toString());
      o.put("vocab_size", tok.vocabSize());
      o.put("bytes", bytes);
      o.put("tokens", tokens);
      o.put("load_s", loadS);
      o.put("first_run_s", firstS);
      o.put("median_s", median);
      o.put("median_cpu_s", medianCpu);
      o.put("runs", runs);
      o.put("mb_per_s", mbPerS);
      o.put("tokens_per_s", tokPerS);
      o.put("mb_per_cpu_s", bytes / 1e6 / medianCpu);
      CliJson.print(spec.commandLine().getOut(), o);
    } else {
      spec.commandLine().getOut().printf("tokenizer      %s (%d tokens)%n", tok.source(), tok.vocabSize());
      spec.commandLine().getOut().printf("text           %d bytes -> %d tokens%n", bytes, tokens);
      spec.commandLine().getOut().printf("load           %.3f s%n", loadS);
      spec.commandLine().getOut().printf("first run      %.3f s (cold JIT and cache)%n", firstS);
      spec.commandLine().getOut().printf("median of %d    %.3f s wall, %.3f s CPU%n", runs, median, medianCpu);
      spec.commandLine().getOut().printf("throughput     %.2f MB/s, %.0f tokens/s (wall); %.2f MB per CPU second%n", mbPerS, tokPerS, bytes / 1e6 / medianCpu);
    }
    return 0;
  }

  /** Deterministic varied text: Zipf-distributed words, code, numbers, punctuation and non-Latin scripts. */
  static final class BenchText {
    private static final String[] SYLLABLES = {
      "ka", "lo", "re", "tin", "mar", "so", "ve", "qu", "ent", "ion", "al", "pre", "con", "ter", "ing", "ed",
      "ly", "un", "der", "com", "pro", "ble", "st", "th", "ou", "gh", "ph", "ment", "ness", "ous"
    };
    private static final String[] FOREIGN = {
      "café", "naïve", "über", "straße", "æøå", "Привет", "мир", "中文字符", "日本語の文章", "한국어", "Ελληνικά",
      "العربية", "हिन्दी", "😀", "👍🏽", "🇯🇵", "—", "…", "«quote»"
    };
    private static final String[] CODE = {
      "def f(x):\n    return x**2  # square\n", "for (int i = 0; i < n; i++) {\n  sum += a[i];\n}\n",
      "if err != nil {\n\treturn err\n}\n", "<div class=\"note\">see https://example.com/a?b=c&d=e#f</div>\n",
      "SELECT id, name FROM users WHERE age > 42;\n", "{\"key\": [1, 2, 3], \"ok\": true}\n"
    };

    static String generate(long targetBytes, long seed) {
      Random rnd = new Random(seed);
      String[] words = new String[20_000];
      for (int i = 0; i < words.length; i++) {
        StringBuilder w = new StringBuilder();
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
          w.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
        }
        words[i] = w.toString();
      }
      StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, targetBytes + 1024));
      long bytes = 0;
      while (bytes < targetBytes) {
        int before = sb.length();
        double u = rnd.nextDouble();
        if (u < 0.03) {
          sb.append(CODE[rnd.nextInt(CODE.length)]);
        } else if (u < 0.08) {
          sb.append(FOREIGN[rnd.nextInt(FOREIGN.length)]).append(' ');
        } else if (u < 0.12) {
          sb.append(rnd.nextInt(100_000)).append(rnd.nextBoolean() ? ", " : ".").append(rnd.nextInt(1000)).append(' ');
        } else {
          // Zipf-like: low indices are far more frequent.
          int idx = (int) Math.floor(Math.pow(words.length, rnd.nextDouble())) - 1;
          String w = words[Math.max(0, idx)];
          if (rnd.nextInt(12) == 0) {
            w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
          }
          sb.append(w);
          int p = rnd.nextInt(20);
          sb.append(p == 0 ? ". " : p == 1 ? ", " : p == 2 ? "'s " : p == 3 ? "\n\n" : " ");
        }
        bytes += sb.substring(before).getBytes(StandardCharsets.UTF_8).length;
      }
      return sb.toString();
    }
  }
}
