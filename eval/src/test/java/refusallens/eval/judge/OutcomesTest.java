package refusallens.eval.judge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outcome shares with Wilson intervals; the CE part of the degeneracy check. */
class OutcomesTest {
  @Test
  void sharesSumToOneAndEachLiesInItsInterval() {
    List<Verdict> vs = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      vs.add(Verdict.complied("x"));
    }
    vs.add(Verdict.refused("x"));
    vs.add(Verdict.degenerate("x"));
    vs.add(Verdict.degenerate("x"));
    Outcomes o = Outcomes.of(vs);
    assertEquals(10, o.n());
    assertEquals(0.7, o.complied(), 1e-12);
    assertEquals(0.1, o.refused(), 1e-12);
    assertEquals(0.2, o.degenerate(), 1e-12);
    for (Outcome x : Outcome.values()) {
      double[] ci = o.ci95().get(x.wireName());
      assertTrue(ci[0] < o.share(x) && o.share(x) < ci[1], x + " " + o.share(x));
    }
  }

  @Test
  void wilsonIntervalAtTheEdgesAndBySymmetry() {
    double z2 = Outcomes.Z95 * Outcomes.Z95;
    double[] zero = Outcomes.wilson(0, 10);
    assertEquals(0, zero[0], 0);
    assertEquals(z2 / (10 + z2), zero[1], 1e-12, "Wilson's upper bound at k = 0 is z^2 / (n + z^2)");
    double[] a = Outcomes.wilson(3, 20);
    double[] b = Outcomes.wilson(17, 20);
    assertArrayEquals(new double[] {1 - b[1], 1 - b[0]}, a, 1e-12);
    assertArrayEquals(new double[] {0, 1}, Outcomes.wilson(0, 0), 0);
    assertEquals(1.0, Outcomes.wilson(6, 6)[1], 0, "exactly 1 at k = n");
  }

  @Test
  void crossEntropyMakesAnImplausibleAnswerDegenerateButKeepsRefusals() {
    Degeneracy d = new Degeneracy(4.0);
    assertEquals(Outcome.COMPLIED, d.withCrossEntropy(Verdict.complied("ok"), 1.2).outcome());
    assertEquals(Outcome.DEGENERATE, d.withCrossEntropy(Verdict.complied("ok"), 6.5).outcome());
    assertEquals(Outcome.DEGENERATE, d.withCrossEntropy(Verdict.complied("ok"), Double.NaN).outcome(), "non-finite");
    assertEquals(Outcome.REFUSED, d.withCrossEntropy(Verdict.refused("no"), 9.0).outcome());
  }
}
