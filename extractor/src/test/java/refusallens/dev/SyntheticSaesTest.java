package refusallens.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link SyntheticSaes}: GemmaScope's width folder names and the threshold's z for a target L0. */
class SyntheticSaesTest {
  @Test
  void widthFoldersAreNamedAsTheGemmaScopeRelease() {
    assertEquals("width_16k", SyntheticSaes.gemmaScopeWidth(16384));
    assertEquals("width_32k", SyntheticSaes.gemmaScopeWidth(32768));
    assertEquals("width_65k", SyntheticSaes.gemmaScopeWidth(65536));
    assertEquals("width_131k", SyntheticSaes.gemmaScopeWidth(131072));
    assertEquals("width_262k", SyntheticSaes.gemmaScopeWidth(262144));
    assertEquals("width_524k", SyntheticSaes.gemmaScopeWidth(524288));
    assertEquals("width_1m", SyntheticSaes.gemmaScopeWidth(1 << 20));
    assertEquals("width_256", SyntheticSaes.gemmaScopeWidth(256));
  }

  @Test
  void theThresholdsZLeavesTheTargetShareAbove() {
    SyntheticSaes.Spec s = new SyntheticSaes.Spec(3, 2304, 16384, 1.0, 82, 1);
    double tail = 1 - new org.apache.commons.math3.distribution.NormalDistribution(0, 1).cumulativeProbability(s.z());
    assertEquals(82.0 / 16384, tail, 1e-9);
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSaes.Spec(3, 2304, 16384, 1.0, 16384, 1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSaes.Spec(3, 2304, 16384, 0, 82, 1));
  }
}
