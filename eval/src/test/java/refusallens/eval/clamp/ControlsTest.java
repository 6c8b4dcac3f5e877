package refusallens.eval.clamp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import refusallens.refusal.FeatureKey;

/** The controls are drawn from active features, matched per layer and in activation to the set they control for. */
class ControlsTest {
  // layer 0: feature 0 and 1 are F*; 2..5 active at different levels; 6..9 silent
  private final Map<Integer, double[]> means = Map.of(
      0, new double[] {1.0, 0.1, 0.9, 3.0, 0.12, 0.6, 0, 0, 0, 0},
      1, new double[] {0, 0, 0.5, 0.4, 0, 0, 0, 0});
  private final FeatureSet fStar = new FeatureSet("F*", List.of(new FeatureKey(0, 0), new FeatureKey(0, 1), new FeatureKey(1, 2)));

  @Test
  void randomControlIsActiveAndWithinTheFactorOfEachFeature() {
    for (long seed = 0; seed < 20; seed++) {
      FeatureSet r = Controls.random(fStar, means, Set.of(), seed);
      assertEquals(3, r.features().size());
      assertEquals(3, Set.copyOf(r.features()).size(), "distinct");
      for (int i = 0; i < 3; i++) {
        FeatureKey like = fStar.features().get(i);
        FeatureKey got = r.features().get(i);
        assertEquals(like.layer(), got.layer(), "same layer");
        assertFalse(fStar.features().contains(got), "not an F* feature");
        double ratio = means.get(got.layer())[got.index()] / means.get(like.layer())[like.index()];
        assertTrue(ratio >= 1 / Controls.MATCH_FACTOR && ratio <= Controls.MATCH_FACTOR, "seed " + seed + ": " + got + " ratio " + ratio);
      }
    }
  }

  @Test
  void genericControlIsTheMostActiveNonFStarFeaturesPerLayer() {
    FeatureSet g = Controls.generic(fStar, means, Set.of());
    assertEquals(List.of(new FeatureKey(0, 3), new FeatureKey(0, 2), new FeatureKey(1, 3)), g.features());
    FeatureSet without = Controls.generic(fStar, means, Set.of(new FeatureKey(0, 3)));
    assertEquals(List.of(new FeatureKey(0, 2), new FeatureKey(0, 5), new FeatureKey(1, 3)), without.features());
  }
}
