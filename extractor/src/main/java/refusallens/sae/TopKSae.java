package refusallens.sae;

import java.util.PriorityQueue;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TopK SAE: in each row the k largest pre-activations pass through relu, all others are 0 (ties go to the
 * lower feature index).
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
    float[] all = pre.dup('c').data().asFloat(); // [n * m]
    float[] out = new float[all.length];
    for (int r = 0; r < n; r++) {
      int base = r * m;
      // Min-heap of the k best (value desc, index asc) seen so far; its head is the worst kept.
      PriorityQueue<Integer> best =
          new PriorityQueue<>(
              k,
              (a, b) -> all[base + a] != all[base + b] ? Float.compare(all[base + a], all[base + b]) : Integer.compare(b, a));
      for (int j = 0; j < m; j++) {
        if (best.size() < k) {
          best.add(j);
        } else if (all[base + j] > all[base + best.peek()]) {
          best.poll();
          best.add(j);
        }
      }
      for (int j : best) {
        out[base + j] = Math.max(all[base + j], 0f);
      }
    }
    return Nd4j.create(out, new long[] {n, m}, 'c');
  }
}
