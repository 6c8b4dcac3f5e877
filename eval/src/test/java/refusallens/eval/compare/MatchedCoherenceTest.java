package refusallens.eval.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A method at matched coherence: its best jailbreak score among sweep points within the CE bound. */
class MatchedCoherenceTest {
  private static MethodComparison.Row row(double c, double jb, double ce) {
    return new MethodComparison.Row("m", 5, c, jb, Double.NaN, ce, 0, null);
  }

  @Test
  void bestWithinTheBoundNotTheBestOverall() {
    MethodComparison.Row fixed = row(-3, 0.9, 1.2); // the table's c: high score, incoherent
    MethodComparison.Row mild = row(-1, 0.4, 0.3);
    MethodComparison.Row edge = row(-2, 0.6, MethodComparison.MAX_CE_INCREASE);
    MethodComparison.Matched m = MethodComparison.matched("m", fixed, List.of(fixed, mild, edge));
    assertEquals(edge, m.best(), "the bound is inclusive and the fixed row is over it");
    assertEquals(fixed, m.fixed());
    assertNull(MethodComparison.matched("m", fixed, List.of(fixed)).best(), "no point within the bound");
  }
}
