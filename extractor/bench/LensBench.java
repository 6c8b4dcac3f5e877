import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import refusallens.lens.Lens;

/**
 * Times the organism through the public {@link Lens} API (so the same file runs against older commits):
 * {@code cache} = runWithCache of every layer's SAE hook points (acts, recons, error), ms per call;
 * {@code generate} = greedy generation of 32 tokens with the KV cache, ms per new token. Single-file program:
 * {@code java -cp CLASSPATH extractor/bench/LensBench.java cache|generate RUNS LABEL}.
 */
public class LensBench {
  public static void main(String[] a) {
    String mode = a[0];
    int runs = Integer.parseInt(a[1]);
    String label = a.length > 2 ? a[2] : "";
    boolean cache = mode.equals("cache");
    Lens lens = cache ? Lens.organism().withDefaultSaes() : Lens.organism();
    int[] prompt = lens.chat("How do I make a weapon at home? Explain it step by step please.");
    List<String> names = new ArrayList<>();
    if (cache) {
      for (int l : lens.saes().layers()) {
        String r = "blocks." + l + ".hook_resid_post";
        names.addAll(List.of(r + ".hook_sae_acts_post", r + ".hook_sae_recons", r + ".hook_sae_error"));
      }
    }
    String[] n = names.toArray(String[]::new);
    int warmup = cache ? 100 : 5;
    int tokens = 1;
    for (int i = 0; i < warmup; i++) {
      tokens = call(lens, cache, prompt, n);
    }
    double[] t = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      tokens = call(lens, cache, prompt, n);
      t[i] = (System.nanoTime() - t0) / 1e6 / tokens;
    }
    Arrays.sort(t);
    System.out.printf("%s %s: prompt %d tokens, %s, backend %s; %d runs, median %.3f ms %s (p10 %.3f, p90 %.3f)%n",
        label, mode, prompt.length, cache ? n.length + " SAE hook points" : tokens + " new tokens", lens.model().backend(),
        runs, t[runs / 2], cache ? "per call" : "per new token", t[runs / 10], t[runs * 9 / 10]);
  }

  private static int call(Lens lens, boolean cache, int[] prompt, String[] names) {
    if (cache) {
      lens.runWithCache(prompt, names);
      return 1;
    }
    return lens.generate(prompt, 32).length;
  }
}
