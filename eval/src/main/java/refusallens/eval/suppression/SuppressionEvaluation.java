package refusallens.eval.suppression;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.FeatureSet;
import refusallens.intervention.Positions;
import refusallens.model.ForwardRequest;
import refusallens.model.ForwardResult;
import refusallens.model.HookName;
import refusallens.model.Hooks;
import refusallens.model.LogitScope;
import refusallens.model.TokenBatch;
import refusallens.refusal.FeatureKey;
import refusallens.datasets.ChatMessage;

/**
 * Harm-to-refusal suppression (the paper's Table 1): clamp FH (a_i -> c a_i, c < 0) from the first prompt
 * position where any FH feature is active onward, and measure how much the FR features drop over the last
 * positions, against the same number of random features clamped the same way.
 */
public final class SuppressionEvaluation {
  /** One prompt's measurement for one clamped set. */
  public record PromptSuppression(
      String id, int from, @JsonProperty("suppression_rate") double suppressionRate,
      @JsonProperty("fraction_dropped") double fractionDropped,
      @JsonProperty("refusal_prob") double refusalProb, @JsonProperty("refusal_prob_clamped") double refusalProbClamped) {}

  /** Means over prompts for one clamped set (NaN where no prompt had an active FR feature). */
  public record Summary(
      String set, int features, @JsonProperty("suppression_rate") double suppressionRate,
      @JsonProperty("fraction_dropped") double fractionDropped,
      @JsonProperty("refusal_prob_drop") double refusalProbDrop, List<PromptSuppression> prompts) {}

  /** FH against the random control. */
  public record Result(Summary harm, Summary random, int lastPositions, double scale, int refusalToken) {}

  private final EvalContext ctx;
  private final int lastPositions;
  private final double scale;

  public SuppressionEvaluation(EvalContext ctx, int lastPositions, double scale) {
    if (lastPositions <= 0) {
      throw new IllegalArgumentException("--last must be >= 1, got " + lastPositions);
    }
    this.ctx = ctx;
    this.lastPositions = lastPositions;
    this.scale = scale;
  }

  /** Measures FH and the random control on {@code prompts}. */
  public Result run(List<Prompt> prompts, FeatureSet harm, FeatureSet refusal, FeatureSet random, int refusalToken) {
    if (harm.isEmpty() || refusal.isEmpty()) {
      throw new IllegalArgumentException("the features file has " + harm.features().size() + " harm and "
          + refusal.features().size() + " refusal features: suppression needs both roles");
    }
    List<PromptSuppression> h = new ArrayList<>();
    List<PromptSuppression> r = new ArrayList<>();
    ctx.progress().start("suppression", prompts.size());
    for (Prompt p : prompts) {
      int[] ids = ctx.tokenizer().encodeChat(List.of(ChatMessage.user(p.userText())), true);
      Set<HookName> capture = new HashSet<>();
      harm.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
      refusal.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
      ForwardResult clean = ctx.model().forward(TokenBatch.of(ids), new ForwardRequest(capture, Hooks.none(), LogitScope.LAST));
      int from = firstActive(clean, harm, ids.length);
      INDArray frClean = acts(clean, refusal);
      double probClean = prob(clean, refusalToken);
      h.add(measure(p.id(), ids, from, harm, refusal, frClean, probClean, refusalToken));
      r.add(measure(p.id(), ids, from, random, refusal, frClean, probClean, refusalToken));
      ctx.progress().step(1);
    }
    ctx.progress().finish();
    return new Result(summary("FH", harm, h), summary("random", random, r), lastPositions, scale, refusalToken);
  }

  /** The control: {@code n} features drawn with {@code seed} from the SAE layers of {@code like}, none of {@code exclude}. */
  public static FeatureSet randomLike(FeatureSet like, FeatureSet exclude, Map<Integer, Integer> dSae, long seed) {
    Random rnd = new Random(seed);
    List<Integer> layers = new ArrayList<>(like.byLayer().keySet());
    Set<FeatureKey> taken = new HashSet<>(exclude.features());
    List<FeatureKey> out = new ArrayList<>();
    for (FeatureKey k : like.features()) {
      FeatureKey pick;
      do {
        pick = new FeatureKey(k.layer(), rnd.nextInt(dSae.get(k.layer())));
      } while (!taken.add(pick));
      out.add(pick);
    }
    return new FeatureSet("random", out);
  }

  private PromptSuppression measure(String id, int[] ids, int from, FeatureSet clamped, FeatureSet refusal,
      INDArray frClean, double probClean, int refusalToken) {
    Set<HookName> capture = new HashSet<>();
    refusal.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
    Hooks<INDArray> hooks = ctx.hooks(clamped.scaled(scale, new Positions.Last(ids.length - from)));
    ForwardResult res = ctx.model().forward(TokenBatch.of(ids), new ForwardRequest(capture, hooks, LogitScope.LAST));
    INDArray frClamped = acts(res, refusal);
    int s = (int) frClean.size(0);
    int start = Math.max(0, s - lastPositions);
    double rate = suppressionRate(frClean, frClamped, lastPositions);
    int dropped = 0;
    int active = 0;
    for (int f = 0; f < frClean.size(1); f++) {
      double o = 0;
      double c = 0;
      for (int t = start; t < s; t++) {
        double a = frClean.getDouble(t, f);
        double b = frClamped.getDouble(t, f);
        o += a;
        c += b;
      }
      if (o > 0) {
        active++;
        if (c < o * (1 - 1e-6)) { // a drop, not float noise of a no-op edit
          dropped++;
        }
      }
    }
    return new PromptSuppression(id, from, rate,
        active == 0 ? Double.NaN : (double) dropped / active, probClean, prob(res, refusalToken));
  }

  private Summary summary(String name, FeatureSet set, List<PromptSuppression> ps) {
    return new Summary(name, set.features().size(), mean(ps.stream().mapToDouble(PromptSuppression::suppressionRate).toArray()),
        mean(ps.stream().mapToDouble(PromptSuppression::fractionDropped).toArray()),
        mean(ps.stream().mapToDouble(p -> p.refusalProb() - p.refusalProbClamped()).toArray()), ps);
  }

  /** Mean of the non-NaN values (NaN for none). */
  public static double mean(double[] xs) {
    double s = 0;
    int n = 0;
    for (double x : xs) {
      if (!Double.isNaN(x)) {
        s += x;
        n++;
      }
    }
    return n == 0 ? Double.NaN : s / n;
  }

  /** FR activations [S, |FR|] and the refusal-token probability of one prompt under {@code hooks}. */
  public record Measured(INDArray fr, double refusalProb) {}

  /** Measures {@code refusal} (and the refusal probability) on {@code ids} with {@code hooks} active. */
  public Measured measure(int[] ids, Hooks<INDArray> hooks, FeatureSet refusal, int refusalToken) {
    Set<HookName> capture = new HashSet<>();
    refusal.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
    ForwardResult res = ctx.model().forward(TokenBatch.of(ids), new ForwardRequest(capture, hooks, LogitScope.LAST));
    return new Measured(acts(res, refusal), prob(res, refusalToken));
  }

  /** Hooks clamping {@code set} (this evaluation's c) from the first position where a feature of {@code harm} is active. */
  public Hooks<INDArray> clampFromFirstActive(int[] ids, FeatureSet harm, FeatureSet set) {
    Set<HookName> capture = new HashSet<>();
    harm.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
    ForwardResult res = ctx.model().forward(TokenBatch.of(ids), new ForwardRequest(capture, Hooks.none(), LogitScope.NONE));
    int from = firstActive(res, harm, ids.length);
    return ctx.hooks(set.scaled(scale, new Positions.Last(ids.length - from)));
  }

  /**
   * Mean relative drop (orig - other) / orig of the activations active in {@code orig}, over the last
   * {@code last} positions of each (aligned at the end: the post-instruction template); NaN when none is active.
   */
  public static double suppressionRate(INDArray orig, INDArray other, int last) {
    int so = (int) orig.size(0);
    int sc = (int) other.size(0);
    int n = Math.min(last, Math.min(so, sc));
    double sum = 0;
    int cnt = 0;
    for (int i = 1; i <= n; i++) {
      for (int f = 0; f < orig.size(1); f++) {
        double a = orig.getDouble(so - i, f);
        if (a > 0) {
          sum += (a - other.getDouble(sc - i, f)) / a;
          cnt++;
        }
      }
    }
    return cnt == 0 ? Double.NaN : sum / cnt;
  }

  /** Mean activation of all FR features over the last {@code last} positions. */
  public static double meanLast(INDArray fr, int last) {
    int s = (int) fr.size(0);
    int n = Math.min(last, s);
    return fr.get(NDArrayIndex.interval(s - n, s), NDArrayIndex.all()).meanNumber().doubleValue();
  }

  public int lastPositions() {
    return lastPositions;
  }

  /** First position at which any feature of {@code set} is active (0 when none is). */
  private int firstActive(ForwardResult res, FeatureSet set, int length) {
    INDArray a = acts(res, set);
    for (int t = 0; t < length; t++) {
      for (int f = 0; f < a.size(1); f++) {
        if (a.getDouble(t, f) > 0) {
          return t;
        }
      }
    }
    return 0;
  }

  /** Activations [S, |set|] of the set's features (columns in the set's per-layer order). */
  private INDArray acts(ForwardResult res, FeatureSet set) {
    List<INDArray> cols = new ArrayList<>();
    for (Map.Entry<Integer, List<Integer>> e : set.byLayer().entrySet()) {
      INDArray x = res.activation(HookName.residPost(e.getKey())).get(NDArrayIndex.point(0)).castTo(DataType.FLOAT);
      cols.add(ctx.saes().get(e.getKey()).encodeFeatures(x, e.getValue().stream().mapToInt(Integer::intValue).toArray()));
    }
    return org.nd4j.linalg.factory.Nd4j.hstack(cols.toArray(new INDArray[0]));
  }

  private static double prob(ForwardResult res, int token) {
    INDArray last = res.logits().get(NDArrayIndex.point(0)).castTo(DataType.DOUBLE).reshape(1, -1);
    return Transforms.softmax(last, true).getDouble(0, token);
  }
}
