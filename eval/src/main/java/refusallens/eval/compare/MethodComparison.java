package refusallens.eval.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.clamp.Controls;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.clamp.Induction;
import refusallens.eval.judge.Outcomes;
import refusallens.core.intervention.DirectionAblation;
import refusallens.core.intervention.DirectionAddition;
import refusallens.core.intervention.Positions;
import refusallens.core.intervention.UnitDirection;
import refusallens.core.model.Hooks;
import refusallens.refusal.DirectionPositions;
import refusallens.refusal.EncodedPrompt;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeaturesFile;
import refusallens.refusal.RefusalDirections;
import refusallens.refusal.TemplateSpan;

/**
 * {@code eval compare}: the methods of the paper at equal budget (K* features, or V*_R: Arditi et al.'s
 * directional ablation at every layer and position, and activation addition at the direction's layer), the
 * activation-matched random and generic controls, each method also at matched coherence (the best jailbreak
 * score over a c sweep with CE increase at most {@link #MAX_CE_INCREASE}); then a K* sweep (ours vs CosSim only)
 * and a c sweep (ours) as jailbreak-vs-CE trade-off curves. Every row carries its outcome shares.
 */
public final class MethodComparison {
  /** The CE increase (nats, own harmless completions) a method may cost at matched coherence. */
  public static final double MAX_CE_INCREASE = 0.5;

  /** Row name of Arditi et al.'s directional ablation of V*_R. */
  public static final String DIRECTIONAL_ABLATION = "directional ablation V*_R";
  /** Row name of activation addition along V*_R (subtracted to jailbreak, added to induce). */
  public static final String ACTIVATION_ADDITION = "activation addition V*_R";
  /** Row name of the activation-matched random control. */
  public static final String RANDOM = "random";
  /** Row name of the generic control (the most active non-F* features). */
  public static final String GENERIC = "generic";

  /**
   * One row: a method (or a sweep point) and its numbers (CE increases on own completions and on plain text),
   * with the outcome shares of its jailbreak completions.
   */
  public record Row(
      String method, int k, double c, double jailbreakScore, double refusalScore, double ceIncrease,
      double ceTextIncrease, Outcomes outcomes) {}

  /**
   * One method at matched coherence: {@code best} is the row of {@code sweep} with the highest jailbreak score
   * among those with CE increase at most {@code maxCeIncrease} (null when none is), {@code fixed} the row at the
   * table's c.
   */
  public record Matched(String method, double maxCeIncrease, Row fixed, Row best, List<Row> sweep) {}

  /** The strength of steering along V*_R on the induction side and where it came from. */
  public record Steering(double alpha, String source) {}

  /**
   * Mean activations on the harmful prompts of F* and its controls (the controls are drawn to match F*).
   */
  public record ControlActivations(double fStar, double random, double generic) {}

  /** The method table, matched-coherence rows and both sweeps; {@code steering} null without a refusal direction. */
  public record Result(List<Row> methods, List<Matched> matched, List<Row> kSweep, List<Row> cSweep, double ceBase,
      double ceTextBase, Steering steering, ControlActivations controls) {}
  /**
   * What to run.
   *
   * @param c scale of the jailbreak clamps (a -> c a)
   * @param induction how refusal is induced on harmless prompts (table only)
   * @param ks K* values of the K* sweep
   * @param cs c values of the c sweep
   * @param steerAlpha alpha of the V*_R addition; empty: the mean harmful projection (recorded or measured)
   */
  public record Options(double c, Induction induction, List<Integer> ks, List<Double> cs, OptionalDouble steerAlpha) {
    public Options {
      if (induction == null) {
        throw new IllegalArgumentException("the comparison needs an induction");
      }
      ks = List.copyOf(ks);
      cs = List.copyOf(cs);
      steerAlpha = steerAlpha == null ? OptionalDouble.empty() : steerAlpha;
      if (steerAlpha.isPresent() && !Double.isFinite(steerAlpha.getAsDouble())) {
        throw new IllegalArgumentException("--steer-alpha must be finite");
      }
    }
  }

  private final EvalContext ctx;
  private final ClampEvaluation eval;
  private final Map<String, Row> rows = new HashMap<>(); // by label: a sweep point is run once

  public MethodComparison(EvalContext ctx, ClampEvaluation eval) {
    this.ctx = ctx;
    this.eval = eval;
  }

  /** F* in attribution order (largest |attribution| first), so that a prefix is the top-K. */
  public static FeatureSet oursRanked(FeaturesFile f) {
    List<FeaturesFile.Feature> fs = new ArrayList<>(f.features());
    fs.sort(Comparator.comparingDouble((FeaturesFile.Feature x) -> -Math.abs(x.attribution())));
    return new FeatureSet("CosSim+AP (ours)", fs.stream().map(x -> new FeatureKey(x.layer(), x.index())).toList());
  }

  /** Runs the table, the matched-coherence sweeps and the trade-off sweeps. */
  public Result run(Options o) {
    FeaturesFile f = ctx.features();
    FeatureSet ours = oursRanked(f);
    int k = ours.features().size();
    ClampEvaluation.Base base = eval.base();
    List<Row> methods = new ArrayList<>();
    List<Matched> matched = new ArrayList<>();
    FeaturesFile.Baselines b = f.baselines();
    Steering steering = null;
    if (f.refusalDirection() != null && f.refusalDirection().direction() != null) {
      INDArray direction = Nd4j.createFromArray(f.refusalDirection().direction());
      int layers = ctx.model().config().shape().numLayers();
      int layer = f.refusalDirection().layer();
      steering = steeringAlpha(o.steerAlpha(), direction);
      // Arditi et al.: ablation projects V*_R out at every layer and position (it cannot induce refusal);
      // activation addition acts once, at the direction's own layer: -alpha r to jailbreak, +alpha r to induce
      Row ablation = row(DIRECTIONAL_ABLATION, 0, Double.NaN, DirectionAblation.of(direction).everyLayer(layers), null, base);
      Row addition = row(ACTIVATION_ADDITION, 0, Double.NaN,
          DirectionAddition.of(direction, -steering.alpha()).atLayer(layer),
          DirectionAddition.of(direction, steering.alpha()).atLayer(layer), base);
      for (Row r : List.of(ablation, addition)) {
        methods.add(r);
        matched.add(matched(r.method(), r, List.of(r)));
      }
    }
    Map<Integer, double[]> means = eval.harmfulMeans().measuredAll();
    Set<FeatureKey> fStarKeys = new HashSet<>(ours.features());
    FeatureSet random = rename(Controls.random(ours, means, fStarKeys, ctx.seed()), RANDOM);
    FeatureSet generic = rename(Controls.generic(ours, means, fStarKeys), GENERIC);
    ControlActivations controls = new ControlActivations(Controls.meanActivation(ours, means),
        Controls.meanActivation(random, means), Controls.meanActivation(generic, means));
    List<FeatureSet> sets = new ArrayList<>();
    if (b != null) {
      sets.add(FeatureSet.of("CosSim only", b.cosSim()).top(k));
      sets.add(FeatureSet.of("AP only", b.apOnly()).top(k));
    }
    sets.add(ours);
    if (b != null) {
      sets.add(FeatureSet.of("ActDiff", b.actDiff()).top(k));
    }
    sets.add(random);
    sets.add(generic);
    List<Double> matchCs = new ArrayList<>(List.of(o.c()));
    o.cs().stream().filter(c -> !matchCs.contains(c)).forEach(matchCs::add);
    for (FeatureSet s : sets) {
      if (s.isEmpty()) {
        ctx.progress().log("compare: " + s.name() + " has no features in the features file; skipped");
        continue;
      }
      Row fixed = row(s, o.c(), o.induction(), base);
      methods.add(fixed);
      List<Row> sweep = new ArrayList<>();
      for (double cc : matchCs) {
        sweep.add(cc == o.c() ? fixed : row(s, cc, null, base));
      }
      matched.add(matched(s.name(), fixed, sweep));
    }
    List<Row> kSweep = new ArrayList<>();
    FeatureSet cos = b == null ? null : FeatureSet.of("CosSim only", b.cosSim());
    for (int kk : o.ks()) {
      kSweep.add(row(ours.top(kk), o.c(), null, base));
      if (cos != null && !cos.isEmpty()) {
        kSweep.add(row(cos.top(kk), o.c(), null, base));
      }
    }
    List<Row> cSweep = new ArrayList<>();
    for (double cc : o.cs()) {
      cSweep.add(row(ours, cc, null, base));
    }
    return new Result(methods, matched, kSweep, cSweep, base.ce(), base.ceText(), steering, controls);
  }

  /** The best row of {@code sweep} with CE increase at most {@link #MAX_CE_INCREASE} (null when none is). */
  public static Matched matched(String method, Row fixed, List<Row> sweep) {
    Row best = null;
    for (Row r : sweep) {
      if (r.ceIncrease() <= MAX_CE_INCREASE && (best == null || r.jailbreakScore() > best.jailbreakScore())) {
        best = r;
      }
    }
    return new Matched(method, MAX_CE_INCREASE, fixed, best, sweep);
  }

  private static FeatureSet rename(FeatureSet s, String name) {
    return new FeatureSet(name, s.features());
  }

  /**
   * alpha: the flag, else the mean projection of harmful prompts on the unit V*_R at its layer as features.json
   * records it, else that projection measured on this evaluation's harmful prompts (the direction's positions).
   */
  private Steering steeringAlpha(OptionalDouble flag, INDArray direction) {
    if (flag.isPresent()) {
      return new Steering(flag.getAsDouble(), "--steer-alpha");
    }
    FeaturesFile.Direction d = ctx.features().refusalDirection();
    if (d.harmfulProjection() != null) {
      return new Steering(d.harmfulProjection(), "features.json refusalDirection.harmfulProjection");
    }
    List<int[]> ids = EncodedPrompt.ids(EncodedPrompt.encode(ctx.tokenizer(), eval.harmful()));
    DirectionPositions positions = d.positions() == null ? DirectionPositions.LAST : d.positions();
    ctx.progress().start("harmful projection on V*_R", ids.size());
    INDArray mean = RefusalDirections.meanResid(ctx.model(), ids, positions, TemplateSpan.of(ctx.tokenizer()),
        ctx.batchSize(), ctx.progress()).getRow(d.layer()); // [d]
    ctx.progress().finish();
    double alpha = UnitDirection.of(direction).project(mean).getDouble(0);
    ctx.progress().log("compare: features.json records no harmful projection on V*_R; measured " + alpha + " on the "
        + ids.size() + " harmful prompts");
    return new Steering(alpha, "measured on the " + ids.size() + " harmful prompts of this evaluation");
  }

  private Row row(FeatureSet s, double c, Induction induction, ClampEvaluation.Base base) {
    String label = s.name() + " K=" + s.features().size() + " c=" + c + (induction == null ? "" : " " + induction);
    Row cached = rows.get(label);
    if (cached == null && induction == null) { // a jailbreak-only point may reuse the table's row
      cached = rows.entrySet().stream().filter(e -> e.getKey().startsWith(label + " ")).map(Map.Entry::getValue)
          .findFirst().orElse(null);
    }
    if (cached != null) {
      return induction == null ? new Row(cached.method(), cached.k(), cached.c(), cached.jailbreakScore(), Double.NaN,
          cached.ceIncrease(), cached.ceTextIncrease(), cached.outcomes()) : cached;
    }
    Row r = row(s.name(), s.features().size(), c, ctx.hooks(s.scaled(c, Positions.ALL)),
        induction == null ? null : ctx.hooks(induction.spec(s, eval.harmfulMeans()::of)), base);
    rows.put(label, r);
    return r;
  }

  private Row row(String method, int k, double c, Hooks<INDArray> jailbreak, Hooks<INDArray> induce,
      ClampEvaluation.Base base) {
    String label = method + (k > 0 ? " K=" + k : "") + (Double.isNaN(c) ? "" : " c=" + c);
    ClampEvaluation.Arm a = eval.arm(label, jailbreak, induce);
    return new Row(method, k, c, a.jailbreakScore(), a.refusalScore(), a.ceClamped() - base.ce(),
        a.ceTextClamped() - base.ceText(), a.outcomes());
  }
}
