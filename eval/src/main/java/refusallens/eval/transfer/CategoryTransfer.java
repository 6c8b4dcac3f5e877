package refusallens.eval.transfer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.core.intervention.Positions;
import refusallens.core.model.Hooks;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeaturesFile;

/**
 * Transfer across harm categories: the features of one category (the union of its attribution prompts'
 * per-prompt sets, ranked by summed attribution, cut to |F*|) clamped on held-out harmful prompts of every
 * category; jailbreak score per (source, target) with the base score per target.
 */
public final class CategoryTransfer {
  /** One cell: features of {@code source} clamped on prompts of {@code target}. */
  public record Cell(String source, String target, int n, @JsonProperty("jailbreak_score") double jailbreakScore,
      @JsonProperty("base_jailbreak_score") double baseJailbreakScore) {}

  /** All cells, and the means of the same-category and the other-category cells. */
  public record Result(List<Cell> cells, Map<String, Integer> featuresPerSource,
      @JsonProperty("same_category_jailbreak") double sameCategory,
      @JsonProperty("other_category_jailbreak") double otherCategory) {}

  private CategoryTransfer() {}

  /** Per-category feature sets from the per-prompt sets of a features file (categories with at least one prompt). */
  public static Map<String, FeatureSet> byCategory(FeaturesFile f, int k) {
    Map<String, Map<FeatureKey, Double>> score = new TreeMap<>();
    for (FeaturesFile.PromptFeatures p : f.perPrompt()) {
      Map<FeatureKey, Double> m = score.computeIfAbsent(String.valueOf(p.category()), c -> new HashMap<>());
      for (FeaturesFile.ScoredFeature s : p.features()) {
        m.merge(new FeatureKey(s.layer(), s.index()), Math.abs(s.score()), Double::sum);
      }
    }
    Map<String, FeatureSet> out = new LinkedHashMap<>();
    score.forEach((cat, m) -> {
      List<FeatureKey> keys = new ArrayList<>(m.keySet());
      keys.sort((a, b) -> Double.compare(m.get(b), m.get(a)));
      out.put(cat, new FeatureSet(cat, keys.subList(0, Math.min(k, keys.size()))));
    });
    return out;
  }

  /** Runs every (source, target) pair with clamp scale {@code c}. */
  public static Result run(EvalContext ctx, Map<String, FeatureSet> sources, List<Prompt> harmful, double c) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("--features: the file has no per-prompt feature sets (perPrompt), so no category has features");
    }
    Map<String, List<Prompt>> targets = new TreeMap<>();
    harmful.forEach(p -> targets.computeIfAbsent(String.valueOf(p.category()), x -> new ArrayList<>()).add(p));
    RefusalEvaluation gen = ctx.generator();
    Map<String, Double> base = new HashMap<>();
    targets.forEach((t, ps) -> base.put(t, refusallens.eval.clamp.ClampEvaluation.jailbreakScore(gen.run(ps, Hooks.none(), ctx.progress(), "base " + t))));
    List<Cell> cells = new ArrayList<>();
    double same = 0;
    int nSame = 0;
    double other = 0;
    int nOther = 0;
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (Map.Entry<String, FeatureSet> s : sources.entrySet()) {
      sizes.put(s.getKey(), s.getValue().features().size());
      var hooks = ctx.hooks(s.getValue().scaled(c, Positions.ALL));
      for (Map.Entry<String, List<Prompt>> t : targets.entrySet()) {
        double jb = refusallens.eval.clamp.ClampEvaluation.jailbreakScore(gen.run(t.getValue(), hooks, ctx.progress(), s.getKey() + " -> " + t.getKey()));
        cells.add(new Cell(s.getKey(), t.getKey(), t.getValue().size(), jb, base.get(t.getKey())));
        if (s.getKey().equals(t.getKey())) {
          same += jb;
          nSame++;
        } else {
          other += jb;
          nOther++;
        }
      }
    }
    return new Result(cells, sizes, nSame == 0 ? Double.NaN : same / nSame, nOther == 0 ? Double.NaN : other / nOther);
  }
}
