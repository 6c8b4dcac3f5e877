package refusallens.eval.clamp;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeatureStats;
import refusallens.refusal.FeaturesFile;

/**
 * Each feature's mean activation on harmful prompts, the unit of {@code harmful-mean:M} induction: as
 * features.json records it ({@code mean_act_harmful} of the global F*), else measured once, with the same
 * definition ({@link FeatureStats#meanActivations}), on the harmful prompts {@code measure} runs (baseline sets
 * such as CosSim only or random features have no recorded means).
 */
public final class HarmfulMeans {
  private final Map<FeatureKey, Double> recorded = new TreeMap<>();
  private final Supplier<Map<Integer, double[]>> measure;
  private final Set<FeatureKey> measuredKeys = new TreeSet<>();
  private Map<Integer, double[]> measured;

  private HarmfulMeans(FeaturesFile features, Supplier<Map<Integer, double[]>> measure) {
    if (features != null) {
      features.features().forEach(f -> recorded.put(new FeatureKey(f.layer(), f.index()), f.meanActHarmful()));
    }
    this.measure = measure;
  }

  /**
   * The recorded means of {@code features}, and {@code measure} (layer -> [d_sae]; called at most once, may be
   * null: then a feature without a record is an error) for the rest.
   */
  public static HarmfulMeans of(FeaturesFile features, Supplier<Map<Integer, double[]>> measure) {
    return new HarmfulMeans(features, measure);
  }

  /** The mean activation of {@code k} on harmful prompts. */
  public double of(FeatureKey k) {
    Double r = recorded.get(k);
    if (r != null) {
      return r;
    }
    if (measure == null) {
      throw new IllegalArgumentException("features.json records no mean_act_harmful for feature " + k.index()
          + " of layer " + k.layer() + " (it records them for the global F* only)");
    }
    if (measured == null) {
      measured = measure.get();
    }
    double[] layer = measured.get(k.layer());
    if (layer == null || k.index() >= layer.length) {
      throw new IllegalArgumentException("no SAE feature " + k.index() + " at layer " + k.layer() + " to measure");
    }
    measuredKeys.add(k);
    return layer[k.index()];
  }

  /**
   * Every feature's mean activation on this evaluation's harmful prompts, measured (once) with the same
   * definition as the recorded ones: what the activation-matched controls are drawn from. Layer -> [d_sae].
   */
  public Map<Integer, double[]> measuredAll() {
    if (measure == null) {
      throw new IllegalArgumentException("no harmful prompts to measure feature activations on");
    }
    if (measured == null) {
      measured = measure.get();
    }
    return measured;
  }

  /** Features whose mean was measured here rather than read from features.json. */
  public Set<FeatureKey> measuredFeatures() {
    return Set.copyOf(measuredKeys);
  }
}
