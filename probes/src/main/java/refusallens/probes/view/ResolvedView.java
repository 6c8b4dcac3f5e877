package refusallens.probes.view;

import java.util.List;
import refusallens.refusal.extract.ActivationStore;

/**
 * A view resolved against a store: the spec as written, the resolved spec (e.g. {@code raw:best} becomes
 * {@code raw:12}) and the column blocks in order.
 */
public record ResolvedView(String spec, String resolved, List<ViewBlock> blocks) {
  public ResolvedView {
    blocks = List.copyOf(blocks);
    if (blocks.isEmpty()) throw new IllegalArgumentException("view '" + spec + "' has no columns");
  }

  /** Total number of columns. */
  public int width() {
    return blocks.stream().mapToInt(ViewBlock::width).sum();
  }

  /** The view's matrix [rows.length, width()] read from the store. */
  public double[][] matrix(ActivationStore store, int[] rows) {
    double[][] out = new double[rows.length][width()];
    int off = 0;
    for (ViewBlock b : blocks) {
      double[][] part = b.read(store, rows);
      for (int i = 0; i < rows.length; i++) System.arraycopy(part[i], 0, out[i], off, b.width());
      off += b.width();
    }
    return out;
  }
}
