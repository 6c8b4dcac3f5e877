package refusallens.eval.suffix;

import refusallens.refusal.RefusalTokens;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.suppression.SuppressionEvaluation;
import refusallens.core.model.Hooks;
import refusallens.chat.ChatMessage;

/**
 * Adversarial suffixes and the refusal features (the paper's Figure 4 / Table 3): FR activation over the last
 * positions as the suffix is appended token by token, the suffix's suppression rate (full suffix vs none), and
 * the extra suppression when FH is clamped on top of the suffix.
 */
public final class SuffixEvaluation {
  /** One prompt with one suffix. */
  public record PromptSuffix(
      String id, String suffix, @JsonProperty("fr_by_tokens") double[] frByTokens,
      @JsonProperty("suffix_suppression_rate") double suffixSuppressionRate,
      @JsonProperty("suffix_plus_fh_suppression_rate") double suffixPlusFhSuppressionRate) {}

  /** One suffix source over all prompts: mean curve and rates. */
  public record Summary(
      String source, @JsonProperty("mean_fr_by_tokens") double[] meanFrByTokens,
      @JsonProperty("suffix_suppression_rate") double suffixSuppressionRate,
      @JsonProperty("suffix_plus_fh_suppression_rate") double suffixPlusFhSuppressionRate,
      @JsonProperty("extra_suppression") double extraSuppression, List<PromptSuffix> prompts) {}

  private final EvalContext ctx;
  private final SuppressionEvaluation suppression;
  private final int maxTokens;

  /** {@code maxTokens}: the curve covers at most this many suffix tokens. */
  public SuffixEvaluation(EvalContext ctx, SuppressionEvaluation suppression, int maxTokens) {
    if (maxTokens <= 0) {
      throw new IllegalArgumentException("--max-suffix-tokens must be >= 1");
    }
    this.ctx = ctx;
    this.suppression = suppression;
    this.maxTokens = maxTokens;
  }

  /** Measures {@code suffixes} (one per prompt, same order) appended to {@code prompts}. */
  public Summary run(String source, List<Prompt> prompts, List<String> suffixes, FeatureSet harmAll, FeatureSet refusalAll,
      RefusalTokens refusalTokens) {
    // as in suppression: FR is read only at layers after every clamped FH layer, so "FH on top" has a causal path
    SuppressionEvaluation.CausalSplit split = SuppressionEvaluation.causalSplit(harmAll, refusalAll);
    FeatureSet harm = split.harm();
    FeatureSet refusal = split.refusal();
    int last = suppression.lastPositions();
    List<PromptSuffix> out = new ArrayList<>();
    ctx.progress().start("suffix " + source, prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      Prompt p = prompts.get(i);
      String base = p.userText().strip();
      int[] suffixIds = ctx.tokenizer().encode(" " + suffixes.get(i).strip(), false);
      int steps = Math.min(maxTokens, suffixIds.length);
      INDArray orig = null;
      double[] curve = new double[steps + 1];
      int[] fullIds = null;
      INDArray full = null;
      for (int k = 0; k <= steps; k++) {
        String text = base + ctx.tokenizer().decode(Arrays.copyOf(suffixIds, k), true);
        int[] ids = ctx.tokenizer().encodeChat(List.of(ChatMessage.user(text)), true);
        INDArray fr = suppression.measure(ids, Hooks.none(), refusal, refusalTokens).fr();
        curve[k] = SuppressionEvaluation.meanLast(fr, last);
        if (k == 0) {
          orig = fr;
        }
        if (k == steps) {
          full = fr;
          fullIds = ids;
        }
      }
      double rate = SuppressionEvaluation.suppressionRate(orig, full, last);
      INDArray both = suppression.measure(fullIds, suppression.clampFromFirstActive(fullIds, harm, harm), refusal, refusalTokens).fr();
      double rateBoth = SuppressionEvaluation.suppressionRate(orig, both, last);
      out.add(new PromptSuffix(p.id(), suffixes.get(i), curve, rate, rateBoth));
      ctx.progress().step(1);
    }
    ctx.progress().finish();
    int len = out.stream().mapToInt(x -> x.frByTokens().length).max().orElse(0);
    double[] mean = new double[len];
    for (int k = 0; k < len; k++) {
      double s = 0;
      int n = 0;
      for (PromptSuffix x : out) {
        if (k < x.frByTokens().length) {
          s += x.frByTokens()[k];
          n++;
        }
      }
      mean[k] = s / n;
    }
    double a = SuppressionEvaluation.mean(out.stream().mapToDouble(PromptSuffix::suffixSuppressionRate).toArray());
    double b = SuppressionEvaluation.mean(out.stream().mapToDouble(PromptSuffix::suffixPlusFhSuppressionRate).toArray());
    return new Summary(source, mean, a, b, b - a, out);
  }

}
