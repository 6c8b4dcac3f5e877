package refusallens.eval.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.clamp.Induction;
import refusallens.intervention.DirectionAblation;
import refusallens.intervention.Positions;
import refusallens.model.Hooks;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeaturesFile;

/**
 * {@code eval compare}: the methods of the paper at equal budget (K* features, or V*_R steering), then a K*
 * sweep (ours vs CosSim only) and a c sweep (ours) as jailbreak-vs-CE trade-off curves.
 */
public final class MethodComparison {
  /** One row: a method (or a sweep point) and its three numbers. */
  public record Row(String method, int k, double c, double jailbreakScore, double refusalScore, double ceIncrease) {}

  /** The method table and both sweeps. */
  public record Result(List<Row> methods, List<Row> kSweep, List<Row> cSweep, double ceBase) {}

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

  /** Runs the table ({@code c}, {@code induction}) and the sweeps over {@code ks} and {@code cs}. */
  public Result run(double c, Induction induction, List<Integer> ks, List<Double> cs) {
    FeaturesFile f = ctx.features();
    FeatureSet ours = oursRanked(f);
    int k = ours.features().size();
    double ceBase = eval.base().ce();
    List<Row> methods = new ArrayList<>();
    FeaturesFile.Baselines b = f.baselines();
    if (b != null && b.activationSteering() != null) {
      DirectionAblation ablation = DirectionAblation.of(Nd4j.createFromArray(f.refusalDirection().direction()));
      Hooks<INDArray> hooks = ablation.everyLayer(ctx.model().config().numLayers());
      ClampEvaluation.Arm a = eval.arm("steering V*_R", hooks, null);
      methods.add(new Row("steering V*_R", 0, Double.NaN, a.jailbreakScore(), a.refusalScore(), a.ceClamped() - ceBase));
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
      methods.add(row(s, c, induction, ceBase));
    }
    List<Row> kSweep = new ArrayList<>();
    FeatureSet cos = b == null ? null : FeatureSet.of("CosSim only", b.cosSim());
    for (int kk : ks) {
      kSweep.add(row(ours.top(kk), c, null, ceBase));
      if (cos != null && !cos.isEmpty()) {
        kSweep.add(row(cos.top(kk), c, null, ceBase));
      }
    }
    List<Row> cSweep = new ArrayList<>();
    for (double cc : cs) {
      cSweep.add(row(ours, cc, null, ceBase));
    }
    return new Result(methods, kSweep, cSweep, ceBase);
  }

  private Row row(FeatureSet s, double c, Induction induction, double ceBase) {
    String label = s.name() + " K=" + s.features().size() + " c=" + c;
    ClampEvaluation.Arm a = eval.arm(label, ctx.hooks(s.scaled(c, Positions.ALL)),
        induction == null ? null : ctx.hooks(induction.spec(s)));
    return new Row(s.name(), s.features().size(), c, a.jailbreakScore(), a.refusalScore(), a.ceClamped() - ceBase);
  }
}
