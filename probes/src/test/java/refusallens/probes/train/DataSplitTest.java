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
import refusallens.extract.StoreRow;

class DataSplitTest {
  static List<StoreRow> rows() {
    List<StoreRow> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) rows.add(new StoreRow("h" + i, "harmful", "c", null, null, null));
    for (int i = 0; i < 30; i++) rows.add(new StoreRow("n" + i, "harmless", "c", null, null, null));
    for (int i = 0; i < 12; i++) rows.add(new StoreRow("a" + i, "harmful", "c", "gcg", "h" + i, i % 3 == 0));
    for (int i = 0; i < 5; i++) rows.add(new StoreRow("b" + i, "harmful", "c", "pair", "h" + i, null));
    rows.add(new StoreRow("x", "harmless", "c", "pair", null, null)); // attacked harmless rows are not OOD positives
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
    assertEquals(10 + 6, s.test().length); // 20% of 50 harmful + 20% of 30 harmless
    assertEquals(6, s.testNegatives(rows).length);
    assertArrayEquals(s.test(), DataSplit.of(rows, DataSplit.Fractions.defaults(), 3).test());
    assertFalse(java.util.Arrays.equals(s.test(), DataSplit.of(rows, DataSplit.Fractions.defaults(), 4).test()));
    assertEquals(Set.of("gcg", "gcg:jailbroken", "pair"), s.oodPositives().keySet());
    assertEquals(12, s.oodPositives().get("gcg").length);
    assertEquals(4, s.oodPositives().get("gcg:jailbroken").length);
    assertEquals(5, s.oodPositives().get("pair").length);

    DataSplit whole = DataSplit.whole(rows);
    assertArrayEquals(IntStream.range(0, 80).toArray(), whole.test());
    assertEquals(0, whole.train().length);
  }

  @Test
  void tooFewPlainRowsIsAClearError() {
    List<StoreRow> rows = new ArrayList<>(rows().subList(0, 50));
    rows.add(new StoreRow("n", "harmless", "c", null, null, null));
    var e = assertThrows(IllegalArgumentException.class, () -> DataSplit.of(rows, DataSplit.Fractions.defaults(), 1));
    assertTrue(e.getMessage().contains("1 plain harmless rows"), e.getMessage());
  }
}
