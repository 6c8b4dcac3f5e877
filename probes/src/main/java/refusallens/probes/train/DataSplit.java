package refusallens.probes.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import refusallens.refusal.extract.StoreRow;

/**
 * The paper's set-up over store rows, made leak-free: plain prompts (no attack) split, stratified by label,
 * into train, validation and in-distribution test, where every plain prompt that is the base of an attacked
 * variant ({@code baseId}) goes to the ID test, never to training or validation. Each attack is one
 * out-of-distribution set: its harmful rows are the positives and the same attack applied to harmless
 * prompts the negatives ({@code attack:jailbroken}: the attack's harmful rows whose completion was judged
 * not refused, against the same negatives).
 *
 * @param fractions the fractions of {@link #of}; null for {@link #whole}
 */
public record DataSplit(int[] train, int[] validation, int[] test, Map<String, OodSet> ood, Fractions fractions) {
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

  /** Where an OOD set's negatives come from. */
  public enum NegativeSource {
    /** The same attack applied to harmless prompts (the paired design). */
    ATTACKED_HARMLESS,
    /** The ID test's plain harmless rows: the store has no attacked harmless row of this attack. */
    PLAIN_HARMLESS
  }

  /** One OOD set: row indices of its positives (attacked harmful) and negatives. */
  public record OodSet(int[] positives, int[] negatives, NegativeSource negativesFrom) {
    /** Positives then negatives. */
    public int[] rows() {
      return IntStream.concat(IntStream.of(positives), IntStream.of(negatives)).toArray();
    }
  }

  /** Suffix of the OOD set of an attack's rows that jailbreak the model. */
  public static final String JAILBROKEN = ":jailbroken";

  /** Splits the rows with the seed. */
  public static DataSplit of(List<StoreRow> rows, Fractions f, long seed) {
    Set<String> bases = oodBases(rows);
    List<Integer> tr = new ArrayList<>();
    List<Integer> va = new ArrayList<>();
    List<Integer> te = new ArrayList<>();
    Random rng = new Random(seed);
    for (boolean harmful : new boolean[] {true, false}) {
      List<Integer> free = new ArrayList<>();
      List<Integer> held = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        StoreRow r = rows.get(i);
        if (r.attack() == null && r.harmful() == harmful) (bases.contains(r.id()) ? held : free).add(i);
      }
      int n = free.size() + held.size();
      String label = harmful ? "harmful" : "harmless";
      if (n < 3) {
        throw new IllegalArgumentException(
            "the store has " + n + " plain " + label + " rows; the train/validation/test split needs at least 3");
      }
      Collections.shuffle(free, rng);
      int nVal = Math.max(1, (int) Math.round(f.validation() * n));
      int nTest = Math.max(1, (int) Math.round(f.test() * n));
      int nFreeTest = Math.max(0, nTest - held.size());
      if (free.size() < nVal + nFreeTest + 1) {
        throw new IllegalArgumentException(
            "the store has " + n + " plain " + label + " rows of which " + held.size() + " are base prompts of attacked"
                + " variants (held out for the test); " + free.size() + " are left for " + nVal + " validation, "
                + nFreeTest + " more test and at least 1 training row: extract more plain prompts or fewer attack bases");
      }
      va.addAll(free.subList(0, nVal));
      te.addAll(held);
      te.addAll(free.subList(nVal, nVal + nFreeTest));
      tr.addAll(free.subList(nVal + nFreeTest, free.size()));
    }
    int[] test = sorted(te);
    return new DataSplit(sorted(tr), sorted(va), test, oodSets(rows, plainHarmless(rows, test)), f);
  }

  /**
   * The whole store as evaluation data (for a probe trained on another store): every plain row is in the
   * ID test set, the OOD sets are as in {@link #of}.
   */
  public static DataSplit whole(List<StoreRow> rows) {
    List<Integer> plain = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) if (rows.get(i).attack() == null) plain.add(i);
    int[] test = sorted(plain);
    return new DataSplit(new int[0], new int[0], test, oodSets(rows, plainHarmless(rows, test)), null);
  }

  /** Ids of the plain prompts that some attacked row of the store was derived from. */
  public static Set<String> oodBases(List<StoreRow> rows) {
    Set<String> bases = new HashSet<>();
    for (StoreRow r : rows) if (r.attack() != null && r.baseId() != null) bases.add(r.baseId());
    return bases;
  }

  private static Map<String, OodSet> oodSets(List<StoreRow> rows, int[] plainNegatives) {
    Map<String, List<Integer>> pos = new TreeMap<>();
    Map<String, List<Integer>> neg = new TreeMap<>();
    Set<String> hasFlag = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      StoreRow r = rows.get(i);
      if (r.attack() == null) continue;
      (r.harmful() ? pos : neg).computeIfAbsent(r.attack(), k -> new ArrayList<>()).add(i);
      if (r.harmful() && r.jailbroken() != null) hasFlag.add(r.attack());
    }
    Map<String, OodSet> out = new TreeMap<>();
    pos.forEach((attack, idx) -> {
      List<Integer> n = neg.get(attack);
      int[] negatives = n == null ? plainNegatives : sorted(n);
      NegativeSource from = n == null ? NegativeSource.PLAIN_HARMLESS : NegativeSource.ATTACKED_HARMLESS;
      out.put(attack, new OodSet(sorted(idx), negatives, from));
      if (hasFlag.contains(attack)) {
        out.put(attack + JAILBROKEN, new OodSet(
            sorted(idx.stream().filter(i -> Boolean.TRUE.equals(rows.get(i).jailbroken())).toList()), negatives, from));
      }
    });
    return out;
  }

  private static int[] plainHarmless(List<StoreRow> rows, int[] test) {
    return IntStream.of(test).filter(i -> !rows.get(i).harmful()).toArray();
  }

  /** Labels (1 harmful) of the given rows. */
  public static int[] labels(List<StoreRow> rows, int[] idx) {
    return IntStream.of(idx).map(i -> rows.get(i).harmful() ? 1 : 0).toArray();
  }

  /** The ID test's harmless rows. */
  public int[] testNegatives(List<StoreRow> rows) {
    return plainHarmless(rows, test);
  }

  private static int[] sorted(List<Integer> idx) {
    return idx.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
