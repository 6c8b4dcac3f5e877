package refusallens.eval.clamp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import refusallens.refusal.FeatureKey;

/**
 * The control feature sets that test whether an effect is specific to a feature set (F*, FH): both drawn from
 * features active on the same prompts, at the same layers and as many per layer as the set they control for.
 * {@code random}: for each feature of the set, a feature of its layer whose mean activation is within
 * {@link #MATCH_FACTOR} of its own (the closest in log ratio when none is), drawn with a seed: controls for
 * removing that much activation. {@code generic}: the most active features of those layers outside the set:
 * controls for clamping whatever fires most.
 */
public final class Controls {
  /** A random control feature's mean activation lies within this factor of the feature it stands in for. */
  public static final double MATCH_FACTOR = 2.0;

  private Controls() {}

  /**
   * The activation-matched random control of {@code like}: one distinct feature per feature of {@code like} at its
   * layer, active on the prompts ({@code means}: layer -> mean activation per feature on them), none of
   * {@code exclude}.
   */
  public static FeatureSet random(FeatureSet like, Map<Integer, double[]> means, Set<FeatureKey> exclude, long seed) {
    Random rnd = new Random(seed);
    Set<FeatureKey> taken = new HashSet<>(exclude);
    taken.addAll(like.features());
    List<FeatureKey> out = new ArrayList<>();
    for (FeatureKey k : like.features()) {
      double[] m = layer(means, k.layer());
      double target = m[k.index()];
      List<Integer> within = new ArrayList<>();
      int closest = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int i = 0; i < m.length; i++) {
        if (!(m[i] > 0) || taken.contains(new FeatureKey(k.layer(), i))) {
          continue;
        }
        double gap = target > 0 ? Math.abs(Math.log(m[i] / target)) : m[i];
        if (gap <= Math.log(MATCH_FACTOR)) {
          within.add(i);
        }
        if (gap < best) {
          best = gap;
          closest = i;
        }
      }
      if (closest < 0) {
        throw new IllegalArgumentException("no active feature left at layer " + k.layer()
            + " to match feature " + k.index() + " for the random control");
      }
      int pick = within.isEmpty() ? closest : within.get(rnd.nextInt(within.size()));
      FeatureKey f = new FeatureKey(k.layer(), pick);
      taken.add(f);
      out.add(f);
    }
    return new FeatureSet("random (activation-matched)", out);
  }

  /**
   * The generic control of {@code like}: at each of its layers, as many of the most active features (by
   * {@code means}) as it has there, none of {@code like} or {@code exclude}.
   */
  public static FeatureSet generic(FeatureSet like, Map<Integer, double[]> means, Set<FeatureKey> exclude) {
    Set<FeatureKey> skip = new HashSet<>(exclude);
    skip.addAll(like.features());
    List<FeatureKey> out = new ArrayList<>();
    like.byLayer().forEach((l, idx) -> {
      double[] m = layer(means, l);
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < m.length; i++) {
        if (m[i] > 0 && !skip.contains(new FeatureKey(l, i))) {
          order.add(i);
        }
      }
      order.sort(Comparator.comparingDouble((Integer i) -> -m[i]).thenComparing(i -> i));
      order.subList(0, Math.min(idx.size(), order.size())).forEach(i -> out.add(new FeatureKey(l, i)));
    });
    return new FeatureSet("generic (most active)", out);
  }

  /** Mean of {@code means} over the features of {@code set} (NaN for none). */
  public static double meanActivation(FeatureSet set, Map<Integer, double[]> means) {
    return set.features().stream().mapToDouble(k -> layer(means, k.layer())[k.index()]).average().orElse(Double.NaN);
  }

  private static double[] layer(Map<Integer, double[]> means, int layer) {
    double[] m = means.get(layer);
    if (m == null) {
      throw new IllegalArgumentException("no feature activations measured at layer " + layer);
    }
    return m;
  }
}
