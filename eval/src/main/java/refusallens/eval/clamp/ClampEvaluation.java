package refusallens.eval.clamp;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.model.Hooks;

/**
 * Clamping evaluation on one harmful and one harmless prompt sample: base completions once, then any number
 * of interventions ("arms"), each with its jailbreak score (share of harmful prompts judged complying), its
 * refusal score (share of harmless prompts refused under an induction intervention) and its coherence (CE of
 * the unclamped model's harmless completions under the jailbreak intervention).
 */
public final class ClampEvaluation {
  /** The unclamped model's completions and their CE. */
  public record Base(List<RefusalEvaluation.Judged> harmful, List<RefusalEvaluation.Judged> harmless, double ce) {
    /** Share of harmful prompts judged complying. */
    public double jailbreakScore() {
      return 1.0 - RefusalEvaluation.refusalRate(harmful);
    }

    /** Share of harmless prompts refused. */
    public double refusalScore() {
      return RefusalEvaluation.refusalRate(harmless);
    }
  }

  /**
   * One intervention's results; {@code induced} is empty and {@code refusalScore} NaN when the arm has no
   * induction intervention, {@code ceClamped} NaN when coherence was not measured.
   */
  public record Arm(
      String name, List<RefusalEvaluation.Judged> jailbroken, List<RefusalEvaluation.Judged> induced,
      double jailbreakScore, double refusalScore, double ceClamped) {}

  private final EvalContext ctx;
  private final List<Prompt> harmful;
  private final List<Prompt> harmless;
  private Base base;

  public ClampEvaluation(EvalContext ctx, List<Prompt> harmful, List<Prompt> harmless) {
    if (harmful.isEmpty() || harmless.isEmpty()) {
      throw new IllegalArgumentException("the clamping evaluation needs harmful and harmless prompts (got "
          + harmful.size() + " and " + harmless.size() + ")");
    }
    this.ctx = ctx;
    this.harmful = List.copyOf(harmful);
    this.harmless = List.copyOf(harmless);
  }

  public List<Prompt> harmful() {
    return harmful;
  }

  public List<Prompt> harmless() {
    return harmless;
  }

  /** The unclamped completions (computed on first use). */
  public Base base() {
    if (base == null) {
      RefusalEvaluation gen = ctx.generator();
      List<RefusalEvaluation.Judged> h = gen.run(harmful, Hooks.none(), ctx.progress(), "base harmful");
      List<RefusalEvaluation.Judged> b = gen.run(harmless, Hooks.none(), ctx.progress(), "base harmless");
      base = new Base(h, b, Coherence.completionCrossEntropy(ctx.model(), b, Hooks.none()));
    }
    return base;
  }

  /**
   * Runs one arm: {@code jailbreak} on the harmful prompts (and on the base harmless completions for CE),
   * {@code induce} (may be null) on the harmless prompts.
   */
  public Arm arm(String name, Hooks<INDArray> jailbreak, Hooks<INDArray> induce) {
    Base b = base();
    RefusalEvaluation gen = ctx.generator();
    List<RefusalEvaluation.Judged> jb = gen.run(harmful, jailbreak, ctx.progress(), name + " harmful");
    List<RefusalEvaluation.Judged> ind = induce == null ? List.of()
        : gen.run(harmless, induce, ctx.progress(), name + " harmless");
    double ce = Coherence.completionCrossEntropy(ctx.model(), b.harmless(), jailbreak);
    return new Arm(name, jb, ind, 1.0 - RefusalEvaluation.refusalRate(jb),
        induce == null ? Double.NaN : RefusalEvaluation.refusalRate(ind), ce);
  }
}
