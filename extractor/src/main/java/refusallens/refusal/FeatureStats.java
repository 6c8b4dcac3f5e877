package refusallens.refusal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * SAE activation statistics of clean runs: every feature's mean activation on harmful and on harmless
 * prompts (over the positions after the template header), and for tracked features the evidence of their
 * role (content vs post-instruction activation, per-position profile, per-category activation) and the
 * tokens they fire on most.
 */
public final class FeatureStats {
  private static final int TOP_TOKENS = 5;

  /** Activation statistics; {@code meanHarmful}/{@code meanHarmless}: layer -> [d_sae]. */
  record Result(Map<Integer, double[]> meanHarmful, Map<Integer, double[]> meanHarmless, Map<FeatureKey, Tracked> tracked) {}

  /** What is gathered about one tracked feature. */
  static final class Tracked {
    double contentSum;
    double contentPeakSum;
    int contentPrompts;
    double postSum;
    int postPrompts;
    final double[] profileSum;
    final int[] profileCount;
    final Map<String, double[]> byCategory = new TreeMap<>(); // category -> {sum of post means, prompts}
    final List<FeaturesFile.TopToken> top = new ArrayList<>();

    Tracked(int postPositions) {
      profileSum = new double[postPositions];
      profileCount = new int[postPositions];
    }

    double contentMean() {
      return contentPrompts == 0 ? 0 : contentSum / contentPrompts;
    }

    /** Mean over prompts of the largest activation on any request token (a harm feature fires on a few words). */
    double contentPeak() {
      return contentPrompts == 0 ? 0 : contentPeakSum / contentPrompts;
    }

    double postMean() {
      return postPrompts == 0 ? 0 : postSum / postPrompts;
    }

    double[] profile() {
      double[] out = new double[profileSum.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = profileCount[i] == 0 ? 0 : profileSum[i] / profileCount[i];
      }
      return out;
    }

    Map<String, Double> categoryMeans() {
      Map<String, Double> out = new TreeMap<>();
      byCategory.forEach((c, v) -> out.put(c, v[0] / v[1]));
      return out;
    }

    void offer(FeaturesFile.TopToken t) {
      top.add(t);
      top.sort(Comparator.comparingDouble(FeaturesFile.TopToken::activation).reversed());
      if (top.size() > TOP_TOKENS) {
        top.remove(top.size() - 1);
      }
    }
  }

  private FeatureStats() {}

  static Result compute(
      Transformer model,
      Tokenizer tokenizer,
      SaeSet saes,
      List<EncodedPrompt> harmful,
      List<EncodedPrompt> harmless,
      TemplateSpan span,
      Set<FeatureKey> tracked,
      int batchSize,
      Progress progress) {
    Map<FeatureKey, Tracked> acc = new TreeMap<>();
    tracked.forEach(k -> acc.put(k, new Tracked(span.postInstruction())));
    progress.start("feature statistics", harmful.size() + harmless.size());
    Map<Integer, double[]> h = pass(model, tokenizer, saes, harmful, span, acc, true, batchSize, progress);
    Map<Integer, double[]> b = pass(model, tokenizer, saes, harmless, span, acc, false, batchSize, progress);
    progress.finish();
    return new Result(h, b, acc);
  }

  /**
   * Every feature's mean activation on {@code prompts} (chat template with the generation prompt), averaged
   * over the positions after the template header and then over prompts: the definition of
   * {@code mean_act_harmful} / {@code mean_act_harmless} in features.json. Layer -> [d_sae].
   */
  public static Map<Integer, double[]> meanActivations(
      Transformer model, Tokenizer tokenizer, SaeSet saes, List<refusallens.datasets.Prompt> prompts, int batchSize,
      Progress progress) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("mean feature activations need at least one prompt");
    }
    progress.start("feature means", prompts.size());
    Map<Integer, double[]> out = pass(model, tokenizer, saes, EncodedPrompt.encode(tokenizer, prompts),
        TemplateSpan.of(tokenizer), new TreeMap<>(), true, batchSize, progress);
    progress.finish();
    return out;
  }

  private static Map<Integer, double[]> pass(
      Transformer model,
      Tokenizer tokenizer,
      SaeSet saes,
      List<EncodedPrompt> prompts,
      TemplateSpan span,
      Map<FeatureKey, Tracked> acc,
      boolean harmful,
      int batchSize,
      Progress progress) {
    Map<Integer, double[]> mean = new HashMap<>();
    for (int l : saes.layers()) {
      mean.put(l, new double[saes.config(l).dSae()]);
    }
    PromptRuns.forEachBatch(model, EncodedPrompt.ids(prompts), saes.layers(), Hooks.none(), false, batchSize, progress, batch -> {
      for (int b = 0; b < batch.indices().length; b++) {
        EncodedPrompt ep = prompts.get(batch.indices()[b]);
        int[] ids = ep.ids();
        int len = ids.length;
        int from = span.contentStart(len);
        int post = span.postInstructionStart(len);
        for (int l : saes.layers()) {
          INDArray acts = saes.get(l).encode(batch.resid(l, b)).castTo(DataType.DOUBLE); // [len, m]
          double[] m = mean.get(l);
          double[] rowMean = acts.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, len),
              org.nd4j.linalg.indexing.NDArrayIndex.all()).mean(0).toDoubleVector();
          for (int i = 0; i < m.length; i++) {
            m[i] += rowMean[i] / prompts.size();
          }
          for (Map.Entry<FeatureKey, Tracked> e : acc.entrySet()) {
            if (e.getKey().layer() != l) {
              continue;
            }
            double[] col = acts.getColumn(e.getKey().index()).toDoubleVector(); // [len] (a view: not data())
            Tracked t = e.getValue();
            for (int s = from; s < len; s++) {
              if (col[s] > 0) {
                String piece = tokenizer.decode(new int[] {ids[s]}, false);
                t.offer(new FeaturesFile.TopToken(piece, ep.prompt().id(), s, col[s]));
              }
            }
            if (!harmful) {
              continue;
            }
            if (post > from) {
              t.contentSum += meanOf(col, from, post);
              t.contentPeakSum += maxOf(col, from, post);
              t.contentPrompts++;
            }
            double pm = meanOf(col, post, len);
            t.postSum += pm;
            t.postPrompts++;
            for (int s = post; s < len; s++) {
              int slot = t.profileSum.length - (len - s);
              if (slot >= 0) {
                t.profileSum[slot] += col[s];
                t.profileCount[slot]++;
              }
            }
            String cat = ep.prompt().category() == null ? "(none)" : ep.prompt().category();
            double[] c = t.byCategory.computeIfAbsent(cat, k -> new double[2]);
            c[0] += pm;
            c[1]++;
          }
        }
      }
    });
    return mean;
  }

  private static double maxOf(double[] xs, int from, int to) {
    double m = 0;
    for (int i = from; i < to; i++) {
      m = Math.max(m, xs[i]);
    }
    return m;
  }

  private static double meanOf(double[] xs, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += xs[i];
    }
    return to > from ? s / (to - from) : 0;
  }
}
