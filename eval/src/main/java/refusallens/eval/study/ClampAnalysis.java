package refusallens.eval.study;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.datasets.Prompt;
import refusallens.eval.judge.Judge;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.intervention.DirectionAblation;
import refusallens.intervention.FeatureIntervention;
import refusallens.intervention.InterventionHooks;
import refusallens.intervention.InterventionSpec;
import refusallens.intervention.Positions;
import refusallens.model.Hooks;
import refusallens.model.Transformer;
import refusallens.refusal.FeatureDiscovery;
import refusallens.refusal.FeatureRole;
import refusallens.refusal.FeaturesFile;
import refusallens.sae.SaeSet;
import refusallens.tokenizer.Tokenizer;

/**
 * The study's clamping step: greedy completions of held-out prompts, judged for refusal, without and with
 * each intervention (F* clamped a -> c a, V*_R ablated, as many random features clamped; FR set to a high
 * value on harmless prompts for refusal induction). Composes {@link RefusalEvaluation} and the extractor's
 * intervention hooks; the full {@code eval clamp} evaluation (CE, sweeps) is not part of it.
 */
public final class ClampAnalysis {
  /** One condition's refusal rate on a prompt set. */
  public record Condition(String name, String prompts, int n, @JsonProperty("refusal_rate") double refusalRate, String note) {}

  /** One prompt's completion without and with an intervention. */
  public record Example(String condition, String prompt, String before, @JsonProperty("before_verdict") String beforeVerdict,
      String after, @JsonProperty("after_verdict") String afterVerdict) {}

  /** The step's artefact ({@code eval/clamp.json}). */
  public record Result(
      int schemaVersion, String judge, @JsonProperty("clamp_scale") double clampScale,
      @JsonProperty("induce_value") Map<String, Double> induceValue,
      @JsonProperty("f_star_count") int fStarCount, @JsonProperty("fr_count") int frCount,
      @JsonProperty("max_new_tokens") int maxNewTokens, List<Condition> conditions, List<Example> examples) {}

  private ClampAnalysis() {}

  /** Runs every condition on {@code harmful} and {@code harmless} held-out prompts. */
  public static Result run(Transformer model, Tokenizer tokenizer, SaeSet saes, FeaturesFile features, Judge judge,
      List<Prompt> harmful, List<Prompt> harmless, double clampScale, int maxNewTokens, int batch) {
    RefusalEvaluation eval = new RefusalEvaluation(model, tokenizer, judge, maxNewTokens, batch);
    List<FeaturesFile.ScoredFeature> fStar = features.features().stream()
        .map(f -> new FeaturesFile.ScoredFeature(f.layer(), f.index(), f.attribution())).toList();
    List<FeaturesFile.Feature> fr = features.features().stream().filter(f -> f.role() == FeatureRole.REFUSAL).toList();
    List<FeaturesFile.Feature> induceSet = fr.isEmpty() ? features.features() : fr;
    INDArray v = Nd4j.create(features.refusalDirection().direction());
    Hooks<INDArray> ablate = DirectionAblation.of(v).everyLayer(model.config().numLayers());

    List<Condition> conditions = new ArrayList<>();
    List<RefusalEvaluation.Judged> base = eval.run(harmful, Hooks.none());
    conditions.add(new Condition("baseline", "harmful", base.size(), RefusalEvaluation.refusalRate(base), "no intervention"));
    List<RefusalEvaluation.Judged> clamped = eval.run(harmful, InterventionHooks.of(FeatureDiscovery.clampSpec(fStar, clampScale), saes));
    conditions.add(new Condition("f*-clamp", "harmful", clamped.size(), RefusalEvaluation.refusalRate(clamped),
        "F* (" + fStar.size() + " features) clamped a -> " + clampScale + " a at every position"));
    List<RefusalEvaluation.Judged> ablated = eval.run(harmful, ablate);
    conditions.add(new Condition("direction-ablation", "harmful", ablated.size(), RefusalEvaluation.refusalRate(ablated),
        "V*_R projected out of the residual stream at every layer"));
    List<FeaturesFile.ScoredFeature> random = features.baselines().random().features();
    List<RefusalEvaluation.Judged> rnd = eval.run(harmful, InterventionHooks.of(FeatureDiscovery.clampSpec(random, clampScale), saes));
    conditions.add(new Condition("random-clamp", "harmful", rnd.size(), RefusalEvaluation.refusalRate(rnd),
        random.size() + " random SAE features clamped a -> " + clampScale + " a (control)"));

    List<RefusalEvaluation.Judged> benign = eval.run(harmless, Hooks.none());
    conditions.add(new Condition("baseline", "harmless", benign.size(), RefusalEvaluation.refusalRate(benign), "no intervention"));
    Map<String, Double> values = induceValues(induceSet);
    List<FeatureIntervention> entries = new ArrayList<>();
    Map<Integer, List<Integer>> byLayer = new TreeMap<>();
    induceSet.forEach(f -> byLayer.computeIfAbsent(f.layer(), k -> new ArrayList<>()).add(f.index()));
    byLayer.forEach((l, fs) -> entries.add(FeatureIntervention.value(l, fs, values.get(Integer.toString(l)), Positions.ALL)));
    List<RefusalEvaluation.Judged> induced = eval.run(harmless, InterventionHooks.of(InterventionSpec.of(entries), saes));
    conditions.add(new Condition("induce", "harmless", induced.size(), RefusalEvaluation.refusalRate(induced),
        (fr.isEmpty() ? "F* (no FR feature found)" : "FR (" + fr.size() + " features)")
            + " set to 3x their mean activation on harmful prompts at every position"));

    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < Math.min(3, base.size()); i++) {
      examples.add(example("f*-clamp", base.get(i), clamped.get(i)));
    }
    for (int i = 0; i < Math.min(2, benign.size()); i++) {
      examples.add(example("induce", benign.get(i), induced.get(i)));
    }
    return new Result(1, judge.name(), clampScale, values, fStar.size(), fr.size(), maxNewTokens, conditions, examples);
  }

  /** Per layer: 3x the largest mean harmful activation of its features (at least 1), the value induction sets. */
  static Map<String, Double> induceValues(List<FeaturesFile.Feature> fs) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (FeaturesFile.Feature f : fs) {
      double v = Math.max(1.0, 3.0 * f.meanActHarmful());
      out.merge(Integer.toString(f.layer()), v, Math::max);
    }
    return out;
  }

  private static Example example(String condition, RefusalEvaluation.Judged before, RefusalEvaluation.Judged after) {
    return new Example(condition, before.prompt().userText(), before.completion(), verdict(before), after.completion(), verdict(after));
  }

  private static String verdict(RefusalEvaluation.Judged j) {
    return j.verdict().refused() ? "refused" : "complied";
  }
}
