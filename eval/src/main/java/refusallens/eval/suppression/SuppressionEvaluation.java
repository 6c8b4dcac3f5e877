package refusallens.eval.suppression;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.refusal.RefusalTokens;
import refusallens.eval.clamp.Controls;
import refusallens.eval.clamp.FeatureSet;
import refusallens.core.intervention.Positions;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogitScope;
import refusallens.core.model.TokenBatch;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeatureStats;
import refusallens.refusal.TemplateSpan;
import refusallens.chat.ChatMessage;

/**
 * Harm-to-refusal suppression (the paper's Table 1): clamp FH (a_i -> c a_i, c < 0) from the first instruction
 * position (after the chat header) where any FH feature is active onward, and measure how much the FR features
 * drop over the last positions, against two controls clamped the same way at the same layers: activation-matched
 * random features and the most active non-F* features ({@link Controls}). FR is read only at layers strictly
 * after every clamped FH layer ({@link #causalSplit}): an FR feature at or before a clamped layer is read
 * either after the edit itself or before it, and neither is harm suppressing refusal.
 */
public final class SuppressionEvaluation {
  /** One prompt's measurement for one clamped set. */
  public record PromptSuppression(
      String id, int from, @JsonProperty("suppression_rate") double suppressionRate,
      @JsonProperty("fraction_dropped") double fractionDropped,
      @JsonProperty("refusal_prob") double refusalProb, @JsonProperty("refusal_prob_clamped") double refusalProbClamped) {}

  /** Means over prompts for one clamped set (NaN where no prompt had an active FR feature). */
  public record Summary(
      String set, int features, @JsonProperty("feature_keys") List<FeatureKey> featureKeys,
      @JsonProperty("suppression_rate") double suppressionRate,
      @JsonProperty("fraction_dropped") double fractionDropped,
      @JsonProperty("refusal_prob_drop") double refusalProbDrop, List<PromptSuppression> prompts) {}

  /**
   * FH against the random and generic controls; {@code fhLayers} the layers where FH was clamped, {@code
   * frLayers} the (strictly later) layers FR was read at; {@code controlActivations} the mean activation on the
   * prompts of FH, the random and the generic control.
   */
  public record Result(Summary harm, Summary random, Summary generic, int lastPositions, double scale, List<String> refusalTokens,
      @JsonProperty("fh_layers") List<Integer> fhLayers, @JsonProperty("fr_layers") List<Integer> frLayers,
      @JsonProperty("control_activations") Map<String, Double> controlActivations) {}

  /** The FH features clamped and the FR features read: every FR layer strictly after every FH layer. */
  public record CausalSplit(FeatureSet harm, FeatureSet refusal) {}

  /**
   * The FH features below a layer cut and the FR features at or above it, the cut chosen to keep the most
   * (FH, FR) pairs (the lowest such cut on ties); an error naming the layers when no FR feature lies after an FH
   * layer.
   */
  public static CausalSplit causalSplit(FeatureSet harm, FeatureSet refusal) {
    Set<Integer> cuts = new java.util.TreeSet<>(refusal.byLayer().keySet());
    int bestCut = -1;
    long best = 0;
    for (int cut : cuts) {
      long h = harm.features().stream().filter(k -> k.layer() < cut).count();
      long r = refusal.features().stream().filter(k -> k.layer() >= cut).count();
      if (h * r > best) {
        best = h * r;
        bestCut = cut;
      }
    }
    if (bestCut < 0) {
      throw new IllegalArgumentException("no FR feature lies at a layer after an FH layer (FH layers "
          + harm.byLayer().keySet() + ", FR layers " + refusal.byLayer().keySet()
          + "): clamping FH cannot reach FR, so suppression is not measurable");
    }
    int cut = bestCut;
    return new CausalSplit(new FeatureSet(harm.name(), harm.features().stream().filter(k -> k.layer() < cut).toList()),
        new FeatureSet(refusal.name(), refusal.features().stream().filter(k -> k.layer() >= cut).toList()));
  }

  private final EvalContext ctx;
  private final int lastPositions;
  private final double scale;
  private TemplateSpan span; // the chat template around a request (found on first use)

  public SuppressionEvaluation(EvalContext ctx, int lastPositions, double scale) {
    if (lastPositions <= 0) {
      throw new IllegalArgumentException("--last must be >= 1, got " + lastPositions);
    }
    this.ctx = ctx;
    this.lastPositions = lastPositions;
    this.scale = scale;
  }

  /**
   * Measures FH and the controls on {@code prompts}: FH and FR cut to layers with a causal path
   * ({@link #causalSplit}), controls drawn among the features active on {@code prompts} at FH's layers, none of
   * {@code exclude} (F*).
   */
  public Result run(List<Prompt> prompts, FeatureSet harmAll, FeatureSet refusalAll, Set<FeatureKey> exclude,
      RefusalTokens refusalTokens) {
    if (harmAll.isEmpty() || refusalAll.isEmpty()) {
      throw new IllegalArgumentException("the features file has " + harmAll.features().size() + " harm and "
          + refusalAll.features().size() + " refusal features: suppression needs both roles");
    }
    CausalSplit split = causalSplit(harmAll, refusalAll);
    FeatureSet harm = split.harm();
    FeatureSet refusal = split.refusal();
    Map<Integer, double[]> means = FeatureStats.meanActivations(ctx.model(), ctx.tokenizer(), ctx.saes(), prompts,
        ctx.batchSize(), ctx.progress());
    FeatureSet random = Controls.random(harm, means, exclude, ctx.seed());
    FeatureSet generic = Controls.generic(harm, means, exclude);
    List<PromptSuppression> h = new ArrayList<>();
    List<PromptSuppression> r = new ArrayList<>();
    List<PromptSuppression> g = new ArrayList<>();
    ctx.progress().start("suppression", prompts.size());
    for (Prompt p : prompts) {
      int[] ids = ctx.tokenizer().encodeChat(List.of(ChatMessage.user(p.userText())), true);
      Set<HookName> capture = new HashSet<>();
      harm.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
      refusal.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
      ForwardResult clean = ctx.model().forward(TokenBatch.of(ids), new ForwardRequest(capture, Hooks.none(), LogitScope.LAST));
      int from = clampStart(clean, harm, ids.length);
      INDArray frClean = acts(clean, refusal);
      double probClean = prob(clean, refusalTokens);
      h.add(measure(p.id(), ids, from, harm, refusal, frClean, probClean, refusalTokens));
      r.add(measure(p.id(), ids, from, random, refusal, frClean, probClean, refusalTokens));
      g.add(measure(p.id(), ids, from, generic, refusal, frClean, probClean, refusalTokens));
      ctx.progress().step(1);
    }
    ctx.progress().finish();
    Map<String, Double> act = new java.util.LinkedHashMap<>();
    act.put("FH", Controls.meanActivation(harm, means));
    act.put("random", Controls.meanActivation(random, means));
    act.put("generic", Controls.meanActivation(generic, means));
    return new Result(summary("FH", harm, h), summary("random", random, r), summary("generic", generic, g),
        lastPositions, scale, refusalTokens.tokens(), List.copyOf(harm.byLayer().keySet()), List.copyOf(refusal.byLayer().keySet()),
        act);
  }

  private PromptSuppression measure(String id, int[] ids, int from, FeatureSet clamped, FeatureSet refusal,
      INDArray frClean, double probClean, RefusalTokens refusalTokens) {
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
        active == 0 ? Double.NaN : (double) dropped / active, probClean, prob(res, refusalTokens));
  }

  private Summary summary(String name, FeatureSet set, List<PromptSuppression> ps) {
    return new Summary(name, set.features().size(), set.features(), mean(ps.stream().mapToDouble(PromptSuppression::suppressionRate).toArray()),
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
  public Measured measure(int[] ids, Hooks<INDArray> hooks, FeatureSet refusal, RefusalTokens refusalTokens) {
    Set<HookName> capture = new HashSet<>();
    refusal.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
    ForwardResult res = ctx.model().forward(TokenBatch.of(ids), new ForwardRequest(capture, hooks, LogitScope.LAST));
    return new Measured(acts(res, refusal), prob(res, refusalTokens));
  }

  /** Hooks clamping {@code set} (this evaluation's c) from the first position where a feature of {@code harm} is active. */
  public Hooks<INDArray> clampFromFirstActive(int[] ids, FeatureSet harm, FeatureSet set) {
    Set<HookName> capture = new HashSet<>();
    harm.byLayer().keySet().forEach(l -> capture.add(HookName.residPost(l)));
    ForwardResult res = ctx.model().forward(TokenBatch.of(ids), new ForwardRequest(capture, Hooks.none(), LogitScope.NONE));
    int from = clampStart(res, harm, ids.length);
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

  /**
   * Where the FH clamp starts: the first instruction position (after the chat template's header) at which any
   * feature of {@code set} is active; the instruction's first position when none is.
   */
  private int clampStart(ForwardResult res, FeatureSet set, int length) {
    if (span == null) {
      span = TemplateSpan.of(ctx.tokenizer());
    }
    int header = span.contentStart(length);
    INDArray a = acts(res, set);
    for (int t = header; t < length; t++) {
      for (int f = 0; f < a.size(1); f++) {
        if (a.getDouble(t, f) > 0) {
          return t;
        }
      }
    }
    return header;
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

  /** p(R) at the first assistant position (Arditi's refusal token set, not one opener token). */
  private static double prob(ForwardResult res, RefusalTokens refusalTokens) {
    INDArray last = res.logits().get(NDArrayIndex.point(0)).reshape(1, -1);
    return refusalTokens.probability(last)[0];
  }
}
