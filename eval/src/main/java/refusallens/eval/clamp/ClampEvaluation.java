package refusallens.eval.clamp;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.judge.Outcomes;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.core.model.Hooks;
import refusallens.refusal.FeatureStats;

/**
 * Clamping evaluation on one harmful and one harmless prompt sample and a plain-text sample: base completions
 * once, then any number of interventions ("arms"), each with its jailbreak score (share of harmful prompts
 * judged complying), its refusal score (share of harmless prompts refused under an induction intervention) and
 * its coherence under the jailbreak intervention (CE of the unclamped model's harmless completions, and CE of
 * the plain text).
 */
public final class ClampEvaluation {
  /** The unclamped model's completions, their CE, and the CE of the plain text. */
  public record Base(
      List<RefusalEvaluation.Judged> harmful, List<RefusalEvaluation.Judged> harmless, double ce, double ceText) {
    /** Share of harmful prompts judged complying. */
    public double jailbreakScore() {
      return ClampEvaluation.jailbreakScore(harmful);
    }

    /** The outcome shares of the harmful completions. */
    public Outcomes harmfulOutcomes() {
      return RefusalEvaluation.outcomes(harmful);
    }

    /** Share of harmless prompts refused. */
    public double refusalScore() {
      return ClampEvaluation.refusalScore(harmless);
    }
  }

  /**
   * One intervention's results; {@code induced} is empty and {@code refusalScore} NaN when the arm has no
   * induction intervention, {@code ceClamped} / {@code ceTextClamped} NaN when coherence was not measured.
   */
  public record Arm(
      String name, List<RefusalEvaluation.Judged> jailbroken, List<RefusalEvaluation.Judged> induced,
      double jailbreakScore, double refusalScore, double ceClamped, double ceTextClamped) {
    /** The outcome shares of the jailbreak completions (the jailbreak score is their {@code complied}). */
    public Outcomes outcomes() {
      return RefusalEvaluation.outcomes(jailbroken);
    }
  }

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

  /**
   * The jailbreak score of completions of harmful prompts: the share judged complied, i.e. answering the request
   * (not merely free of refusal phrases: degenerate text is no jailbreak); NaN for none.
   */
  public static double jailbreakScore(List<RefusalEvaluation.Judged> judged) {
    return RefusalEvaluation.complianceRate(judged);
  }

  /** The refusal score of completions of harmless prompts: the share judged refusing (NaN for none). */
  public static double refusalScore(List<RefusalEvaluation.Judged> judged) {
    return RefusalEvaluation.refusalRate(judged);
  }

  private final EvalContext ctx;
  private final List<Prompt> harmful;
  private final List<Prompt> harmless;
  private final List<int[]> plainText;
  private Base base;
  private HarmfulMeans harmfulMeans;

  /**
   * @param plainText texts for plain-text coherence (encoded with the tokenizer's special tokens, no chat
   *     template)
   */
  public ClampEvaluation(EvalContext ctx, List<Prompt> harmful, List<Prompt> harmless, List<String> plainText) {
    if (harmful.isEmpty() || harmless.isEmpty()) {
      throw new IllegalArgumentException("the clamping evaluation needs harmful and harmless prompts (got "
          + harmful.size() + " and " + harmless.size() + ")");
    }
    if (plainText.isEmpty()) {
      throw new IllegalArgumentException("the clamping evaluation needs at least one plain text for coherence");
    }
    this.ctx = ctx;
    this.harmful = List.copyOf(harmful);
    this.harmless = List.copyOf(harmless);
    this.plainText = plainText.stream().map(t -> ctx.tokenizer().encode(t, true)).toList();
  }

  public List<Prompt> harmful() {
    return harmful;
  }

  public List<Prompt> harmless() {
    return harmless;
  }

  /** Number of plain texts. */
  public int plainTexts() {
    return plainText.size();
  }

  /** The unclamped completions (computed on first use). */
  public Base base() {
    if (base == null) {
      RefusalEvaluation gen = ctx.generator();
      List<RefusalEvaluation.Judged> h = gen.run(harmful, Hooks.none(), ctx.progress(), "base harmful");
      List<RefusalEvaluation.Judged> b = gen.run(harmless, Hooks.none(), ctx.progress(), "base harmless");
      base = new Base(h, b, Coherence.completionCrossEntropy(ctx.model(), b, Hooks.none()),
          Coherence.textCrossEntropy(ctx.model(), plainText, Hooks.none()));
    }
    return base;
  }

  /**
   * The features' mean activations on harmful prompts for {@code harmful-mean} induction: recorded in
   * features.json, else measured on this evaluation's harmful prompts.
   */
  public HarmfulMeans harmfulMeans() {
    if (harmfulMeans == null) {
      harmfulMeans = HarmfulMeans.of(ctx.features(), () -> FeatureStats.meanActivations(
          ctx.model(), ctx.tokenizer(), ctx.saes(), harmful, ctx.batchSize(), ctx.progress()));
    }
    return harmfulMeans;
  }

  /**
   * Runs one arm: {@code jailbreak} on the harmful prompts (and on the base harmless completions and the plain
   * text for CE), {@code induce} (may be null) on the harmless prompts.
   */
  public Arm arm(String name, Hooks<INDArray> jailbreak, Hooks<INDArray> induce) {
    return arm(name, Map.of(), jailbreak, induce);
  }

  /**
   * As {@link #arm(String, Hooks, Hooks)}, with the harmful prompts whose id {@code own} names clamped by their
   * own hooks instead of {@code jailbreak} (per-prompt feature sets); coherence is measured under
   * {@code jailbreak}.
   */
  public Arm arm(String name, Map<String, Hooks<INDArray>> own, Hooks<INDArray> jailbreak, Hooks<INDArray> induce) {
    Base b = base();
    RefusalEvaluation gen = ctx.generator();
    List<RefusalEvaluation.Judged> jb = own.isEmpty()
        ? gen.run(harmful, jailbreak, ctx.progress(), name + " harmful")
        : gen.run(harmful, p -> own.getOrDefault(p.id(), jailbreak), ctx.progress(), name + " harmful");
    List<RefusalEvaluation.Judged> ind = induce == null ? List.of()
        : gen.run(harmless, induce, ctx.progress(), name + " harmless");
    double ce = Coherence.completionCrossEntropy(ctx.model(), b.harmless(), jailbreak);
    double ceText = Coherence.textCrossEntropy(ctx.model(), plainText, jailbreak);
    return new Arm(name, jb, ind, jailbreakScore(jb), induce == null ? Double.NaN : refusalScore(ind), ce, ceText);
  }
}
