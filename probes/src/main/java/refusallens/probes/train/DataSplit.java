package refusallens.probes.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import refusallens.extract.StoreRow;

/**
 * The paper's set-up over store rows: plain prompts (no attack) split, stratified by label, into train,
 * validation and in-distribution test; every attack's harmful rows form an out-of-distribution positive
 * set (and {@code attack:jailbroken}, its rows whose completion was judged not refused, when the store has
 * that flag). OOD sets are scored against the ID test's harmless rows as negatives.
 *
 * @param fractions the fractions of {@link #of}; null for {@link #whole}
 */
public record DataSplit(
    int[] train, int[] validation, int[] test, Map<String, int[]> oodPositives, Fractions fractions) {
  /** Fractions of plain rows for validation and test (the rest trains). */
  public record Fractions(double validation, double test) {
    public Fractions {
      if (!(validation > 0 && test > 0 && validation + test < 1)) {
        throw new IllegalArgumentException(
            "split fractions validation " + validation + ", test " + test + ": expected > 0 and sum < 1");
      }
    }

    /** 20% validation, 20% test. */
    public static Fractions defaults() {
      return new Fractions(0.2, 0.2);
    }
  }

  /** Suffix of the OOD set of an attack's rows that jailbreak the model. */
  public static final String JAILBROKEN = ":jailbroken";

  /** Splits the rows with the seed. */
  public static DataSplit of(List<StoreRow> rows, Fractions f, long seed) {
    return of(rows, f, seed, true);
  }

  private static DataSplit of(List<StoreRow> rows, Fractions f, long seed, boolean needPlain) {
    List<Integer> tr = new ArrayList<>();
    List<Integer> va = new ArrayList<>();
    List<Integer> te = new ArrayList<>();
    Random rng = new Random(seed);
    for (boolean harmful : new boolean[] {true, false}) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        StoreRow r = rows.get(i);
        if (r.attack() == null && r.harmful() == harmful) idx.add(i);
      }
      if (needPlain && idx.size() < 3) {
        throw new IllegalArgumentException(
            "the store has " + idx.size() + " plain " + (harmful ? "harmful" : "harmless")
                + " rows; the train/validation/test split needs at least 3");
      }
      if (!needPlain) continue;
      Collections.shuffle(idx, rng);
      int nVal = Math.max(1, (int) Math.round(f.validation() * idx.size()));
      int nTest = Math.max(1, (int) Math.round(f.test() * idx.size()));
      va.addAll(idx.subList(0, nVal));
      te.addAll(idx.subList(nVal, nVal + nTest));
      tr.addAll(idx.subList(nVal + nTest, idx.size()));
    }
    Map<String, List<Integer>> ood = new TreeMap<>();
    Map<String, Boolean> hasFlag = new TreeMap<>();
    for (int i = 0; i < rows.size(); i++) {
      StoreRow r = rows.get(i);
      if (r.attack() == null || !r.harmful()) continue;
      ood.computeIfAbsent(r.attack(), k -> new ArrayList<>()).add(i);
      if (r.jailbroken() != null) hasFlag.put(r.attack(), true);
    }
    Map<String, int[]> out = new TreeMap<>();
    ood.forEach(
        (attack, idx) -> {
          out.put(attack, sorted(idx));
          if (hasFlag.getOrDefault(attack, false)) {
            out.put(
                attack + JAILBROKEN,
                sorted(idx.stream().filter(i -> Boolean.TRUE.equals(rows.get(i).jailbroken())).toList()));
          }
        });
    return new DataSplit(sorted(tr), sorted(va), sorted(te), out, f);
  }

  /**
   * The whole store as evaluation data (for a probe trained on another store): every plain row is in the
   * ID test set, the OOD sets are as in {@link #of}.
   */
  public static DataSplit whole(List<StoreRow> rows) {
    List<Integer> plain = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) if (rows.get(i).attack() == null) plain.add(i);
    DataSplit ood = of(rows, new Fractions(0.2, 0.2), 0, false);
    return new DataSplit(new int[0], new int[0], sorted(plain), ood.oodPositives(), null);
  }

  /** Labels (1 harmful) of the given rows. */
  public static int[] labels(List<StoreRow> rows, int[] idx) {
    return IntStream.of(idx).map(i -> rows.get(i).harmful() ? 1 : 0).toArray();
  }

  /** The ID test's harmless rows (the negatives of every OOD set). */
  public int[] testNegatives(List<StoreRow> rows) {
    return IntStream.of(test).filter(i -> !rows.get(i).harmful()).toArray();
  }

  private static int[] sorted(List<Integer> idx) {
    return idx.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
