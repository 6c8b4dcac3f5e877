package refusallens.eval.suppression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import refusallens.eval.clamp.FeatureSet;
import refusallens.refusal.FeatureKey;

/** Suppression never reads an FR feature at a layer at or before a clamped FH layer. */
class CausalSplitTest {
  private static FeatureSet set(String name, int... layers) {
    List<FeatureKey> keys = new java.util.ArrayList<>();
    for (int i = 0; i < layers.length; i++) {
      keys.add(new FeatureKey(layers[i], i));
    }
    return new FeatureSet(name, keys);
  }

  @Test
  void frIsReadOnlyStrictlyAfterEveryClampedFhLayer() {
    FeatureSet fh = set("FH", 0, 0, 1, 1, 1, 2, 3);
    FeatureSet fr = set("FR", 0, 1, 2, 2, 3, 3);
    SuppressionEvaluation.CausalSplit s = SuppressionEvaluation.causalSplit(fh, fr);
    int maxFh = s.harm().features().stream().mapToInt(FeatureKey::layer).max().orElseThrow();
    int minFr = s.refusal().features().stream().mapToInt(FeatureKey::layer).min().orElseThrow();
    assertTrue(minFr > maxFh, "FR from layer " + minFr + ", FH up to " + maxFh);
    // the cut keeps the most (FH, FR) pairs: layers < 2 (5 FH) x layers >= 2 (4 FR) = 20
    assertEquals(5, s.harm().features().size());
    assertEquals(4, s.refusal().features().size());
  }

  @Test
  void bothAtOneLayerHaveNoCausalPath() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SuppressionEvaluation.causalSplit(set("FH", 0, 0), set("FR", 0)));
    assertTrue(e.getMessage().contains("no FR feature lies at a layer after an FH layer"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SuppressionEvaluation.causalSplit(set("FH", 2), set("FR", 0, 1, 2)));
  }
}
