package refusallens.core.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link TopKSae#keepTopK} against a full sort by (value descending, index ascending), ties abounding. */
class TopKSelectionTest {

  /** The independent rule: sort the indices, keep the first k, relu. */
  static float[] bySorting(float[] row, int k) {
    Integer[] idx = IntStream.range(0, row.length).boxed().toArray(Integer[]::new);
    Arrays.sort(idx, Comparator.<Integer>comparingDouble(j -> -row[j]).thenComparingInt(j -> j));
    float[] out = new float[row.length];
    for (int q = 0; q < Math.min(k, row.length); q++) {
      out[idx[q]] = Math.max(0f, row[idx[q]]);
    }
    return out;
  }

  @Test
  void keepsTheKLargestWithTiesToTheLowerIndex() {
    Random r = new Random(7);
    for (int trial = 0; trial < 400; trial++) {
      int cols = 1 + r.nextInt(70);
      int k = 1 + r.nextInt(cols + 3);
      int alphabet = 1 + r.nextInt(6); // few distinct values: many ties
      int rows = 1 + r.nextInt(4);
      float[] values = new float[rows * cols];
      for (int i = 0; i < values.length; i++) {
        values[i] = alphabet == 6 ? (float) r.nextGaussian() : r.nextInt(alphabet) - 1;
      }
      float[] got = values.clone();
      TopKSae.keepTopK(got, rows, cols, k);
      for (int row = 0; row < rows; row++) {
        float[] in = Arrays.copyOfRange(values, row * cols, (row + 1) * cols);
        assertArrayEquals(bySorting(in, k), Arrays.copyOfRange(got, row * cols, (row + 1) * cols), 0f,
            "trial " + trial + " row " + row + " k " + k + " of " + Arrays.toString(in));
      }
    }
  }
}
