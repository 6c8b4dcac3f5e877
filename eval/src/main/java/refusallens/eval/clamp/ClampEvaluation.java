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
      return ClampEvaluation.jailbreakScore(harmful);
    }

    /** Share of harmless prompts refused. */
    public double refusalScore() {
      return ClampEvaluation.refusalScore(harmless);
    }
  }

  /**
   * One intervention's results; {@code induced} is empty and {@code refusalScore} NaN when the arm has no
   * induction intervention, {@code ceClamped} NaN when coherence was not measured.
   */
  public record Arm(
      String name, List<RefusalEvaluation.Judged> jailbroken, List<RefusalEvaluation.Judged> induced,
      double jailbreakScore, double refusalScore, double ceClamped) {}

  /**
   * One prompt set's judged completions without and with one intervention, prompt by prompt (no coherence):
   * the clamping evaluation the classifier service serves on a request's prompts.
   */
  public record Comparison(List<RefusalEvaluation.Judged> base, List<RefusalEvaluation.Judged> clamped) {
    public Comparison {
      base = List.copyOf(base);
      clamped = List.copyOf(clamped);
      if (base.size() != clamped.size()) {
        throw new IllegalArgumentException(
            "a comparison needs one clamped completion per base completion, got " + base.size() + " and "
                + clamped.size());
      }
    }

    /** The comparisons of disjoint prompt sets joined in order (as if run as one set). */
    public static Comparison concat(List<Comparison> parts) {
      return new Comparison(
          parts.stream().flatMap(c -> c.base().stream()).toList(),
          parts.stream().flatMap(c -> c.clamped().stream()).toList());
    }
  }

  /** Completes and judges {@code prompts} without any intervention, then with {@code hooks} active. */
  public static Comparison compare(RefusalEvaluation generator, List<Prompt> prompts, Hooks<INDArray> hooks) {
    return new Comparison(generator.run(prompts, Hooks.none()), generator.run(prompts, hooks));
  }

  /** The jailbreak score of completions of harmful prompts: the share judged complying (NaN for none). */
  public static double jailbreakScore(List<RefusalEvaluation.Judged> judged) {
    return 1.0 - RefusalEvaluation.refusalRate(judged);
  }

  /** The refusal score of completions of harmless prompts: the share judged refusing (NaN for none). */
  public static double refusalScore(List<RefusalEvaluation.Judged> judged) {
    return RefusalEvaluation.refusalRate(judged);
  }

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
    return new Arm(name, jb, ind, jailbreakScore(jb), induce == null ? Double.NaN : refusalScore(ind), ce);
  }
}
