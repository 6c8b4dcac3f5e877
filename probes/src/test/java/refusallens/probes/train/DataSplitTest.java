package refusallens.probes.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import refusallens.refusal.extract.StoreRow;

class DataSplitTest {
  static List<StoreRow> rows() {
    List<StoreRow> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) rows.add(new StoreRow("h" + i, "harmful", "c", null, null, null));
    for (int i = 0; i < 30; i++) rows.add(new StoreRow("n" + i, "harmless", "c", null, null, null));
    for (int i = 0; i < 12; i++) rows.add(new StoreRow("a" + i, "harmful", "c", "gcg", "h" + i, i % 3 == 0));
    for (int i = 0; i < 5; i++) rows.add(new StoreRow("b" + i, "harmful", "c", "pair", "h" + i, null));
    for (int i = 0; i < 7; i++) rows.add(new StoreRow("x" + i, "harmless", "c", "pair", "n" + i, null)); // pair's negatives
    return rows;
  }

  @Test
  void splitIsStratifiedDisjointSeededAndKeepsAttacksOut() {
    List<StoreRow> rows = rows();
    DataSplit s = DataSplit.of(rows, DataSplit.Fractions.defaults(), 3);
    Set<Integer> seen = new HashSet<>();
    for (int[] part : new int[][] {s.train(), s.validation(), s.test()}) {
      for (int i : part) {
        assertTrue(seen.add(i), "row " + i + " in two parts");
        assertEquals(null, rows.get(i).attack());
      }
    }
    assertEquals(80, seen.size());
    // 20% of 50 harmful, but the 12 base prompts of attacked harmful rows are all held out; 20% of 30 harmless, 7 bases
    assertEquals(12 + 7, s.test().length);
    assertEquals(7, s.testNegatives(rows).length);
    assertArrayEquals(s.test(), DataSplit.of(rows, DataSplit.Fractions.defaults(), 3).test());
    // the held-out bases fill the test here, so the seed shows in validation (and training)
    assertFalse(java.util.Arrays.equals(s.validation(), DataSplit.of(rows, DataSplit.Fractions.defaults(), 4).validation()));
    assertEquals(Set.of("gcg", "gcg:jailbroken", "pair"), s.ood().keySet());
    assertEquals(12, s.ood().get("gcg").positives().length);
    assertEquals(4, s.ood().get("gcg:jailbroken").positives().length);
    assertEquals(5, s.ood().get("pair").positives().length);
    // pair's negatives are the same attack on harmless prompts; gcg has none, so it falls back to plain ones (flagged)
    assertEquals(7, s.ood().get("pair").negatives().length);
    assertEquals(DataSplit.NegativeSource.ATTACKED_HARMLESS, s.ood().get("pair").negativesFrom());
    for (int i : s.ood().get("pair").negatives()) assertEquals("pair", rows.get(i).attack());
    assertEquals(DataSplit.NegativeSource.PLAIN_HARMLESS, s.ood().get("gcg").negativesFrom());

    DataSplit whole = DataSplit.whole(rows);
    assertArrayEquals(IntStream.range(0, 80).toArray(), whole.test());
    assertEquals(0, whole.train().length);
  }

  @Test
  void noBasePromptOfAnOodVariantIsInTrainingOrValidationForAnySeed() {
    List<StoreRow> rows = rows();
    Set<String> bases = DataSplit.oodBases(rows);
    assertEquals(19, bases.size()); // h0..h11 and n0..n6
    for (long seed = 0; seed < 20; seed++) {
      DataSplit s = DataSplit.of(rows, DataSplit.Fractions.defaults(), seed);
      for (int[] part : new int[][] {s.train(), s.validation()}) {
        for (int i : part) assertFalse(bases.contains(rows.get(i).id()), "seed " + seed + ": base " + rows.get(i).id() + " trains");
      }
      Set<String> test = new HashSet<>();
      for (int i : s.test()) test.add(rows.get(i).id());
      assertTrue(test.containsAll(bases), "seed " + seed + ": every base prompt is in the ID test");
    }
  }

  @Test
  void tooManyHeldOutBasesIsAClearError() {
    List<StoreRow> rows = new ArrayList<>(rows().subList(0, 80));
    for (int i = 0; i < 45; i++) rows.add(new StoreRow("v" + i, "harmful", "c", "gcg", "h" + i, null));
    var e = assertThrows(IllegalArgumentException.class, () -> DataSplit.of(rows, DataSplit.Fractions.defaults(), 1));
    assertTrue(e.getMessage().contains("45 are base prompts of attacked variants"), e.getMessage());
  }

  @Test
  void tooFewPlainRowsIsAClearError() {
    List<StoreRow> rows = new ArrayList<>(rows().subList(0, 50));
    rows.add(new StoreRow("n", "harmless", "c", null, null, null));
    var e = assertThrows(IllegalArgumentException.class, () -> DataSplit.of(rows, DataSplit.Fractions.defaults(), 1));
    assertTrue(e.getMessage().contains("1 plain harmless rows"), e.getMessage());
  }
}
