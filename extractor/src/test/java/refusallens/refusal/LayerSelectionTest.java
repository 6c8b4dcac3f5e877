package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Arditi et al.'s direction filters and ranking (select_direction.filter_fn) on synthetic candidate scores. */
class LayerSelectionTest {
  private static final LayerSelection.Options ARDITI = LayerSelection.Options.defaults();

  private static LayerSelection.LayerScore scored(int position, int layer, double ablation, double kl, double steering, int layers) {
    LayerSelection.LayerScore raw = new LayerSelection.LayerScore(position, layer, 1.0, ablation, kl, steering, null);
    return new LayerSelection.LayerScore(position, layer, 1.0, ablation, kl, steering,
        LayerSelection.exclusion(raw, layers, ARDITI));
  }

  @Test
  void eachFilterExcludesAndTheLowestAblationScoreOfTheRestWins() {
    int layers = 4; // Arditi: layers >= int(4 * 0.8) = 3 are pruned
    List<LayerSelection.LayerScore> s = List.of(
        scored(-2, 0, -1.0, 0.05, 0.5, layers),   // eligible
        scored(-2, 1, -1.5, 0.09, 0.0, layers),   // eligible (KL and induced score exactly at the thresholds pass)
        scored(-1, 1, -3.0, 0.20, 2.0, layers),   // KL above 0.1
        scored(-1, 0, -2.0, 0.05, -0.1, layers),  // induced refusal score below 0 (absolute, whatever the baseline)
        scored(-1, 3, -9.0, 0.01, 3.0, layers),   // pruned layer
        scored(-2, 2, Double.NaN, 0.01, 3.0, layers)); // NaN
    assertNull(s.get(0).excludedBecause());
    assertNull(s.get(1).excludedBecause());
    assertTrue(s.get(2).excludedBecause().contains("KL"), s.get(2).excludedBecause());
    assertTrue(s.get(3).excludedBecause().contains("below 0"), s.get(3).excludedBecause());
    assertTrue(s.get(4).excludedBecause().contains("last 20%"), s.get(4).excludedBecause());
    assertTrue(s.get(5).excludedBecause().contains("NaN"), s.get(5).excludedBecause());

    LayerSelection.Choice c = LayerSelection.choose(s, layers, ARDITI);
    assertFalse(c.fallback());
    assertNull(c.reason());
    assertEquals(1, c.candidate().layer());
    assertEquals(-2, c.candidate().position());
  }

  @Test
  void pruningFollowsArditisIntegerCut() {
    assertTrue(scored(-1, 3, -1, 0, 1, 5).excludedBecause() == null, "5 layers: int(4.0) = 4, layer 3 is kept");
    assertTrue(scored(-1, 4, -1, 0, 1, 5).excludedBecause() != null, "5 layers: layer 4 is pruned");
    assertTrue(scored(-1, 0, -1, 0, 1, 1).excludedBecause() != null, "1 layer: int(0.8) = 0, nothing is eligible");
  }

  @Test
  void whenNothingPassesTheChoiceIsAFallbackWithItsReason() {
    int layers = 4;
    // every KL is high, as for the shipped organism (0.75-1.01)
    List<LayerSelection.LayerScore> s = List.of(
        scored(-1, 0, -0.1, 0.77, 1.1, layers),
        scored(-1, 1, -0.2, 0.98, 1.2, layers),
        scored(-1, 2, 0.3, 0.75, 1.0, layers),
        scored(-1, 3, -5.0, 1.01, 2.0, layers));
    LayerSelection.Choice c = LayerSelection.choose(s, layers, ARDITI);
    assertTrue(c.fallback());
    assertEquals(1, c.candidate().layer(), "the lowest ablation score of the unpruned layers");
    assertTrue(c.reason().contains("no candidate passed") && c.reason().contains("3 harmless KL above 0.1")
        && c.reason().contains("0.75"), c.reason());

    LayerSelection.Result r = new LayerSelection.Result(1, -1, "fallback", true, c.reason(), 1, -5, s);
    assertTrue(r.fallback());
    assertThrows(IllegalArgumentException.class, () -> new LayerSelection.Result(1, -1, "x", true, null, 1, -5, s),
        "a fallback without its reason is refused");
  }

  @Test
  void aForcedLayerIsReportedAsAFallback() {
    int layers = 4;
    List<LayerSelection.LayerScore> s = List.of(
        scored(-2, 0, -1.0, 0.05, 0.5, layers),
        scored(-2, 2, -0.5, 0.05, 0.5, layers),
        scored(-1, 2, -0.7, 0.05, 0.5, layers));
    LayerSelection.Choice c = LayerSelection.choose(s, layers, ARDITI.withLayer(OptionalInt.of(2)));
    assertTrue(c.fallback());
    assertEquals(2, c.candidate().layer());
    assertEquals(-1, c.candidate().position(), "the forced layer's best position");
    assertTrue(c.reason().contains("--layer"), c.reason());
  }
}
