package refusallens.eval.suppression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.clamp.Induction;
import refusallens.core.intervention.Positions;
import refusallens.refusal.FeatureKey;

/** The suppression-rate arithmetic and the feature-set / induction helpers the eval commands build on. */
class SuppressionRateTest {
  @Test
  void rateUsesActiveOriginalsOverTheLastPositionsAlignedAtTheEnd() {
    // orig: 4 positions x 2 features; other is one position longer (a suffix added before the template)
    var orig = Nd4j.createFromArray(new double[][] {{9, 9}, {2, 0}, {4, 1}, {0, 2}});
    var other = Nd4j.createFromArray(new double[][] {{7, 7}, {7, 7}, {1, 0}, {1, 0.5}, {0, 1}});
    // last 3 rows aligned at the end: active originals 2 (->1), 4 (->1), 1 (->0.5), 2 (->1)
    double expected = ((2 - 1) / 2.0 + (4 - 1) / 4.0 + (1 - 0.5) / 1.0 + (2 - 1) / 2.0) / 4;
    assertEquals(expected, SuppressionEvaluation.suppressionRate(orig, other, 3), 1e-12);
    assertTrue(Double.isNaN(SuppressionEvaluation.suppressionRate(Nd4j.zeros(3, 2), other, 3)), "no active FR: NaN");
    assertEquals((2 + 0 + 4 + 1 + 0 + 2) / 6.0, SuppressionEvaluation.meanLast(orig, 3), 1e-12);
  }

  @Test
  void featureSetsGroupByLayerAndInductionParses() {
    FeatureSet s = new FeatureSet("x", List.of(new FeatureKey(3, 5), new FeatureKey(1, 2), new FeatureKey(3, 1)));
    assertEquals(List.of(1, 3), List.copyOf(s.byLayer().keySet()));
    assertEquals(List.of(5, 1), s.byLayer().get(3));
    var spec = s.scaled(-3, Positions.ALL);
    assertEquals(2, spec.interventions().size());
    assertEquals(-3.0, spec.atLayer(3).get(0).scale());
    assertEquals(2, s.top(2).features().size());
    assertEquals(new Induction(Induction.Mode.VALUE, 8), Induction.parse("value:8"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Induction.parse("scal:4"));
    assertTrue(e.getMessage().contains("--induce"));
  }
}
