package refusallens.eval.study;

import refusallens.refusal.RefusalTokens;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Prompt;
import refusallens.datasets.attack.Attack;
import refusallens.datasets.attack.Attacks;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.clamp.Induction;
import refusallens.eval.compare.MethodComparison;
import refusallens.eval.judge.Outcomes;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.eval.suffix.SuffixEvaluation;
import refusallens.eval.suppression.SuppressionEvaluation;
import refusallens.core.intervention.Positions;
import refusallens.core.model.Hooks;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeatureRole;
import refusallens.refusal.FeaturesFile;

/**
 * The study's evaluation steps on top of the eval library: the F* clamp (jailbreak, refusal induction, CE)
 * with the method comparison ({@link ClampEvaluation}, {@link MethodComparison}), and the harm-to-refusal
 * suppression ({@link SuppressionEvaluation}); each result is the artefact the study writes under {@code eval/}.
 */
public final class StudyEvaluation {
  /** The jailbreak clamp scale (a -> c a). */
  public static final double CLAMP_SCALE = -3.0;
  /** The refusal induction on harmless prompts (the {@code eval clamp} default). */
  public static final String INDUCE = Induction.DEFAULT_FLAG;

  /** One prompt's completion before and after an intervention. */
  public record Example(String set, String prompt, String before, @JsonProperty("before_verdict") String beforeVerdict,
      String after, @JsonProperty("after_verdict") String afterVerdict) {}

  /** The clamp step's artefact ({@code eval/clamp.json}). */
  public record Clamp(
      int schemaVersion, String judge, double scale, String induce, @JsonProperty("f_star_count") int fStarCount,
      @JsonProperty("n_harmful") int nHarmful, @JsonProperty("n_harmless") int nHarmless,
      @JsonProperty("max_new_tokens") int maxNewTokens,
      @JsonProperty("base_jailbreak_score") double baseJailbreakScore, @JsonProperty("jailbreak_score") double jailbreakScore,
      @JsonProperty("base_outcomes") Outcomes baseOutcomes, Outcomes outcomes,
      @JsonProperty("per_prompt") PerPrompt perPrompt,
      @JsonProperty("base_refusal_score") double baseRefusalScore, @JsonProperty("refusal_score") double refusalScore,
      @JsonProperty("ce_base") double ceBase, @JsonProperty("ce_clamped") double ceClamped,
      @JsonProperty("ce_text_base") double ceTextBase, @JsonProperty("ce_text_clamped") double ceTextClamped,
      @JsonProperty("n_text") int nText, MethodComparison.Steering steering,
      List<MethodComparison.Row> methods, @JsonProperty("max_ce_increase") double maxCeIncrease,
      List<MethodComparison.Matched> matched,
      @JsonProperty("control_activations") MethodComparison.ControlActivations controlActivations,
      @JsonProperty("k_sweep") List<MethodComparison.Row> kSweep,
      @JsonProperty("c_sweep") List<MethodComparison.Row> cSweep, List<Example> examples) {}

  /**
   * The paper's per-prompt F* beside the global set, on the prompts features.json has a per-prompt set for (the
   * discovery prompts: in-sample for both sets): each clamped with its own F*, and the same prompts clamped with
   * the global F*, and unclamped.
   */
  public record PerPrompt(
      int n, @JsonProperty("base_outcomes") Outcomes baseOutcomes,
      @JsonProperty("global_jailbreak_score") double globalJailbreakScore,
      @JsonProperty("global_outcomes") Outcomes globalOutcomes,
      @JsonProperty("jailbreak_score") double jailbreakScore, Outcomes outcomes) {}

  /** The suppression step's artefact ({@code eval/suppression.json}); {@code reason} set when not measurable. */
  public record Suppression(
      int schemaVersion, @JsonProperty("n_fh") int nFh, @JsonProperty("n_fr") int nFr, double scale,
      @JsonProperty("last_positions") int lastPositions, SuppressionEvaluation.Result result, String reason) {}

  /** The suffix step's artefact ({@code eval/suffix.json}); {@code reason} set when not measurable. */
  public record Suffix(
      int schemaVersion, @JsonProperty("n_fh") int nFh, @JsonProperty("n_fr") int nFr,
      @JsonProperty("last_positions") int lastPositions, @JsonProperty("max_suffix_tokens") int maxSuffixTokens,
      List<SuffixEvaluation.Summary> sources, String reason) {}

  /** The suffix transforms of the datasets module the suffix step appends. */
  public static final List<String> SUFFIX_ATTACKS = List.of("random-suffix", "benign-suffix");

  private StudyEvaluation() {}

  /** Appends each suffix transform to the harmful prompts token by token and follows FR (with and without FH clamped). */
  public static Suffix suffix(EvalContext ctx, List<Prompt> harmful, int lastPositions, int maxTokens) {
    FeatureSet harm = role("FH", ctx.features(), FeatureRole.HARM);
    FeatureSet refusal = role("FR", ctx.features(), FeatureRole.REFUSAL);
    if (harm.isEmpty() || refusal.isEmpty()) {
      return new Suffix(1, harm.features().size(), refusal.features().size(), lastPositions, maxTokens, List.of(),
          "F* has " + harm.features().size() + " FH and " + refusal.features().size() + " FR features; the suffix analysis needs both");
    }
    try {
      SuppressionEvaluation.causalSplit(harm, refusal);
    } catch (IllegalArgumentException e) {
      return new Suffix(1, harm.features().size(), refusal.features().size(), lastPositions, maxTokens, List.of(),
          e.getMessage());
    }
    RefusalTokens tok = RefusalTokens.of(ctx.features(), ctx.tokenizer());
    SuffixEvaluation eval = new SuffixEvaluation(ctx, new SuppressionEvaluation(ctx, lastPositions, CLAMP_SCALE), maxTokens);
    List<SuffixEvaluation.Summary> sources = new ArrayList<>();
    for (String name : SUFFIX_ATTACKS) {
      Attack a = Attacks.byName(name);
      List<String> per = new ArrayList<>();
      for (Prompt p : harmful) {
        String v = a.apply(p, ctx.seed()).userText();
        String base = p.userText().strip();
        if (!v.startsWith(base)) {
          throw new IllegalStateException(name + " is not a suffix transform (it rewrites the request)");
        }
        per.add(v.substring(base.length()));
      }
      sources.add(eval.run(name, harmful, per, harm, refusal, tok));
    }
    return new Suffix(1, harm.features().size(), refusal.features().size(), lastPositions, maxTokens, sources, null);
  }

  /**
   * The per-prompt F* on {@code prompts} (those with a set in features.json; the others are skipped) against the
   * global F* on the same prompts; null when none has a set.
   */
  public static PerPrompt perPrompt(EvalContext ctx, FeatureSet fStar, List<Prompt> prompts) {
    Map<String, FeatureSet> sets = FeatureSet.perPrompt(ctx.features());
    List<Prompt> own = prompts.stream().filter(p -> sets.containsKey(p.id())).toList();
    if (own.isEmpty()) {
      return null;
    }
    Map<String, Hooks<INDArray>> hooks = new TreeMap<>();
    own.forEach(p -> hooks.put(p.id(), ctx.hooks(sets.get(p.id()).scaled(CLAMP_SCALE, Positions.ALL))));
    RefusalEvaluation gen = ctx.generator();
    List<RefusalEvaluation.Judged> base = gen.run(own, Hooks.none(), ctx.progress(), "per-prompt base");
    List<RefusalEvaluation.Judged> global = gen.run(own, ctx.hooks(fStar.scaled(CLAMP_SCALE, Positions.ALL)),
        ctx.progress(), "per-prompt prompts, global F*");
    List<RefusalEvaluation.Judged> mine = gen.run(own, p -> hooks.get(p.id()), ctx.progress(), "per-prompt F*");
    return new PerPrompt(own.size(), RefusalEvaluation.outcomes(base), ClampEvaluation.jailbreakScore(global),
        RefusalEvaluation.outcomes(global), ClampEvaluation.jailbreakScore(mine), RefusalEvaluation.outcomes(mine));
  }

  /**
   * Clamps F*, induces refusal, and compares the methods (sweeps over {@code ks} and {@code cs}); coherence also
   * on the plain {@code texts}; the per-prompt F* on {@code ownSetPrompts} (the prompts with a per-prompt set).
   */
  public static Clamp clamp(
      EvalContext ctx, List<Prompt> harmful, List<Prompt> harmless, List<String> texts, List<Integer> ks, List<Double> cs,
      List<Prompt> ownSetPrompts) {
    FeatureSet fStar = FeatureSet.fStar(ctx.features());
    if (fStar.isEmpty()) {
      throw new IllegalStateException("features.json lists no F* features: nothing to clamp");
    }
    Induction induction = Induction.parse(INDUCE);
    ClampEvaluation eval = new ClampEvaluation(ctx, harmful, harmless, texts);
    ClampEvaluation.Base base = eval.base();
    ClampEvaluation.Arm arm = eval.arm("F* clamp", ctx.hooks(fStar.scaled(CLAMP_SCALE, Positions.ALL)),
        ctx.hooks(induction.spec(fStar, eval.harmfulMeans()::of)));
    PerPrompt perPrompt = perPrompt(ctx, fStar, ownSetPrompts);
    MethodComparison.Result cmp = new MethodComparison(ctx, eval)
        .run(new MethodComparison.Options(CLAMP_SCALE, induction, ks, cs, OptionalDouble.empty()));
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < Math.min(3, harmful.size()); i++) {
      examples.add(example("harmful: F* clamped", base.harmful().get(i), arm.jailbroken().get(i)));
    }
    for (int i = 0; i < Math.min(2, harmless.size()); i++) {
      examples.add(example("harmless: refusal induced", base.harmless().get(i), arm.induced().get(i)));
    }
    return new Clamp(1, ctx.judge().name(), CLAMP_SCALE, induction.toString(), fStar.features().size(), harmful.size(),
        harmless.size(), ctx.maxNewTokens(), base.jailbreakScore(), arm.jailbreakScore(), base.harmfulOutcomes(),
        arm.outcomes(), perPrompt, base.refusalScore(),
        arm.refusalScore(), base.ce(), arm.ceClamped(), base.ceText(), arm.ceTextClamped(), eval.plainTexts(),
        cmp.steering(), cmp.methods(), MethodComparison.MAX_CE_INCREASE, cmp.matched(), cmp.controls(), cmp.kSweep(),
        cmp.cSweep(), examples);
  }

  /**
   * Clamps FH and measures FR at strictly later layers, against activation-matched random and generic controls
   * of FH's layers.
   */
  public static Suppression suppression(EvalContext ctx, List<Prompt> harmful, int lastPositions) {
    FeatureSet harm = role("FH", ctx.features(), FeatureRole.HARM);
    FeatureSet refusal = role("FR", ctx.features(), FeatureRole.REFUSAL);
    if (harm.isEmpty() || refusal.isEmpty()) {
      return new Suppression(1, harm.features().size(), refusal.features().size(), CLAMP_SCALE, lastPositions, null,
          "F* has " + harm.features().size() + " FH and " + refusal.features().size()
              + " FR features; suppression needs both");
    }
    SuppressionEvaluation.CausalSplit split;
    try {
      split = SuppressionEvaluation.causalSplit(harm, refusal);
    } catch (IllegalArgumentException e) {
      return new Suppression(1, harm.features().size(), refusal.features().size(), CLAMP_SCALE, lastPositions, null,
          e.getMessage());
    }
    SuppressionEvaluation.Result r = new SuppressionEvaluation(ctx, lastPositions, CLAMP_SCALE)
        .run(harmful, harm, refusal, new HashSet<>(FeatureSet.fStar(ctx.features()).features()), RefusalTokens.of(ctx.features(), ctx.tokenizer()));
    return new Suppression(1, split.harm().features().size(), split.refusal().features().size(), CLAMP_SCALE,
        lastPositions, r, null);
  }

  static FeatureSet role(String name, FeaturesFile f, FeatureRole role) {
    List<FeatureKey> keys = f.features().stream().filter(x -> x.role() == role)
        .map(x -> new FeatureKey(x.layer(), x.index())).toList();
    return new FeatureSet(name, keys);
  }

  private static Example example(String set, RefusalEvaluation.Judged before, RefusalEvaluation.Judged after) {
    return new Example(set, before.prompt().userText(), before.completion(), verdict(before), after.completion(), verdict(after));
  }

  private static String verdict(RefusalEvaluation.Judged j) {
    return j.verdict().outcome().wireName();
  }
}
