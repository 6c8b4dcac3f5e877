package refusallens.core.sae;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TopK SAE: in each row the k largest pre-activations pass through relu, all others are 0. Ties at the k-th
 * value go to the lower feature index. {@link #keepTopK} is the one TopK of the project: inference here and
 * training ({@code TopKSaeTrainer}) select with it.
 */
public final class TopKSae extends Sae {
  private final int k;

  TopKSae(SaeConfig config, INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec, int k) {
    super(config, wEnc, bEnc, wDec, bDec);
    this.k = k;
  }

  /** Active features per row (before relu). */
  public int k() {
    return k;
  }

  @Override
  public INDArray encodeFeatures(INDArray x, int[] features) {
    // Which features survive depends on all of them: encode fully, then select.
    return selectColumns(encode(x), features);
  }

  @Override
  protected INDArray activate(INDArray pre, int[] features) {
    int n = (int) pre.size(0);
    int m = (int) pre.size(1);
    float[] values = pre.dup('c').data().asFloat(); // [n * m]
    keepTopK(values, n, m, k);
    return Nd4j.create(values, new long[] {n, m}, 'c');
  }

  @Override
  void activate(float[] pre, int rows) {
    keepTopK(pre, rows, dSae(), k);
  }

  /**
   * In place, in each row of {@code values} [rows, cols] (row-major): the k largest entries become relu of
   * themselves, all others 0. Among entries equal to the k-th largest value the lower indices are kept, so
   * exactly min(k, cols) entries are selected per row (some may be 0 after relu).
   */
  public static void keepTopK(float[] values, int rows, int cols, int k) {
    if (k <= 0 || rows * cols != values.length) {
      throw new IllegalArgumentException("topK of " + rows + " x " + cols + " values (" + values.length + ") with k " + k);
    }
    if (k >= cols) {
      for (int i = 0; i < values.length; i++) {
        values[i] = Math.max(values[i], 0f);
      }
      return;
    }
    float[] scratch = new float[cols];
    for (int r = 0; r < rows; r++) {
      int o = r * cols;
      System.arraycopy(values, o, scratch, 0, cols);
      float kth = select(scratch, cols - k);
      int above = 0; // entries strictly above the k-th value: all kept
      for (int j = 0; j < cols; j++) {
        if (values[o + j] > kth) {
          above++;
        }
      }
      int ties = k - above; // entries equal to it kept, lowest index first
      for (int j = 0; j < cols; j++) {
        float v = values[o + j];
        boolean keep = v > kth || (v == kth && ties-- > 0);
        values[o + j] = keep ? Math.max(v, 0f) : 0f;
      }
    }
  }

  /**
   * The value that would stand at index {@code idx} of {@code a} sorted ascending (quickselect, linear on
   * average; a full sort of each row cost most of an encode); {@code a} is reordered.
   */
  static float select(float[] a, int idx) {
    int lo = 0;
    int hi = a.length - 1;
    while (hi > lo) {
      float x = a[lo];
      float y = a[(lo + hi) >>> 1];
      float z = a[hi];
      float pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          float t = a[i];
          a[i] = a[j];
          a[j] = t;
          i++;
          j--;
        }
      }
      // a[lo..j] <= pivot <= a[i..hi], and the slots between hold the pivot's value
      if (idx <= j) {
        hi = j;
      } else if (idx >= i) {
        lo = i;
      } else {
        return a[idx];
      }
    }
    return a[idx];
  }
}
