package refusallens.probes.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Seeded stratified k-fold assignment. */
public final class Folds {
  private Folds() {}

  /**
   * Fold index (0..k-1) of each row: rows of each class are shuffled with the seed and dealt round-robin,
   * so every fold gets a near-equal share of each class.
   */
  public static int[] stratified(int[] labels, int k, long seed) {
    if (k < 2) throw new IllegalArgumentException("cross-validation folds " + k + ": expected >= 2");
    int[] fold = new int[labels.length];
    Random rng = new Random(seed);
    for (int cls = 0; cls <= 1; cls++) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < labels.length; i++) if (labels[i] == cls) idx.add(i);
      if (idx.size() < k) {
        throw new IllegalArgumentException(
            k + "-fold cross-validation needs >= " + k + " rows of class " + cls + ", got " + idx.size());
      }
      Collections.shuffle(idx, rng);
      for (int i = 0; i < idx.size(); i++) fold[idx.get(i)] = i % k;
    }
    return fold;
  }
}
