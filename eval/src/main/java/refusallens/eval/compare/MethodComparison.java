package refusallens.eval.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.clamp.Induction;
import refusallens.intervention.DirectionAblation;
import refusallens.intervention.DirectionAddition;
import refusallens.intervention.Positions;
import refusallens.intervention.UnitDirection;
import refusallens.model.Hooks;
import refusallens.refusal.DirectionPositions;
import refusallens.refusal.EncodedPrompt;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeaturesFile;
import refusallens.refusal.RefusalDirections;
import refusallens.refusal.TemplateSpan;

/**
 * {@code eval compare}: the methods of the paper at equal budget (K* features, or V*_R steering: ablated for
 * the jailbreak, added for the induction), then a K* sweep (ours vs CosSim only) and a c sweep (ours) as
 * jailbreak-vs-CE trade-off curves.
 */
public final class MethodComparison {
  /** One row: a method (or a sweep point) and its numbers (CE increases on own completions and on plain text). */
  public record Row(
      String method, int k, double c, double jailbreakScore, double refusalScore, double ceIncrease,
      double ceTextIncrease) {}

  /** The strength of steering along V*_R on the induction side and where it came from. */
  public record Steering(double alpha, String source) {}

  /** The method table and both sweeps; {@code steering} null when features.json has no steering baseline. */
  public record Result(List<Row> methods, List<Row> kSweep, List<Row> cSweep, double ceBase, double ceTextBase, Steering steering) {}

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

  /** Runs the table and the sweeps. */
  public Result run(Options o) {
    FeaturesFile f = ctx.features();
    FeatureSet ours = oursRanked(f);
    int k = ours.features().size();
    ClampEvaluation.Base base = eval.base();
    List<Row> methods = new ArrayList<>();
    FeaturesFile.Baselines b = f.baselines();
    Steering steering = null;
    if (b != null && b.activationSteering() != null) {
      INDArray direction = Nd4j.createFromArray(f.refusalDirection().direction());
      int layers = ctx.model().config().numLayers();
      steering = steeringAlpha(o.steerAlpha(), direction);
      Hooks<INDArray> ablate = DirectionAblation.of(direction).everyLayer(layers);
      // induction adds alpha r once, at the direction's own layer (Arditi et al.); ablation acts at every layer
      Hooks<INDArray> add = DirectionAddition.of(direction, steering.alpha()).atLayer(f.refusalDirection().layer());
      ClampEvaluation.Arm a = eval.arm("steering V*_R", ablate, add);
      methods.add(new Row("steering V*_R", 0, Double.NaN, a.jailbreakScore(), a.refusalScore(), a.ceClamped() - base.ce(),
          a.ceTextClamped() - base.ceText()));
    }
    List<FeatureSet> sets = new ArrayList<>();
    if (b != null) {
      sets.add(FeatureSet.of("CosSim only", b.cosSim()).top(k));
      sets.add(FeatureSet.of("AP only", b.apOnly()).top(k));
    }
    sets.add(ours);
    if (b != null) {
      sets.add(FeatureSet.of("ActDiff", b.actDiff()).top(k));
      if (b.random() != null) {
        sets.add(FeatureSet.of("random", b.random().features()).top(k));
      }
    }
    for (FeatureSet s : sets) {
      if (s.isEmpty()) {
        ctx.progress().log("compare: " + s.name() + " has no features in the features file; skipped");
        continue;
      }
      methods.add(row(s, o.c(), o.induction(), base));
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
    return new Result(methods, kSweep, cSweep, base.ce(), base.ceText(), steering);
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
    String label = s.name() + " K=" + s.features().size() + " c=" + c;
    ClampEvaluation.Arm a = eval.arm(label, ctx.hooks(s.scaled(c, Positions.ALL)),
        induction == null ? null : ctx.hooks(induction.spec(s, eval.harmfulMeans()::of)));
    return new Row(s.name(), s.features().size(), c, a.jailbreakScore(), a.refusalScore(), a.ceClamped() - base.ce(),
        a.ceTextClamped() - base.ceText());
  }
}
