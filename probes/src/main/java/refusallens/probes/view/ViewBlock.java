package refusallens.probes.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.StoreTensor;

/**
 * One block of a view's columns: residual dimensions or SAE features of one layer and position rule.
 *
 * @param indices the residual dimensions or SAE feature ids, in column order; null means all {@code width}
 *     columns of the tensor in order
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ViewBlock(StoreTensor.Kind kind, int layer, PositionRule position, int width, List<Integer> indices) {
  public ViewBlock {
    if (indices != null) {
      indices = List.copyOf(indices);
      if (indices.size() != width) throw new IllegalArgumentException("view block: " + indices.size() + " indices for width " + width);
    }
  }

  /** The store tensor this block reads. */
  public String tensorName() {
    return StoreTensor.nameOf(kind, layer, position);
  }

  /** Reads this block's columns for the given rows; a store lacking a column is a clear error. */
  public double[][] read(ActivationStore store, int[] rows) {
    String name = tensorName();
    StoreTensor t =
        store
            .tensor(name)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "activation store " + store.dir() + " has no tensor '" + name + "' (needed by the view);"
                            + " it has " + store.header().tensors().stream().map(StoreTensor::name).toList()));
    int[] cols = new int[width];
    if (indices == null) {
      if (t.width() != width || t.features() != null) {
        throw new IllegalArgumentException(
            "tensor " + name + " of " + store.dir() + " has width " + t.width() + ", the view expects all " + width);
      }
      for (int j = 0; j < width; j++) cols[j] = j;
    } else {
      for (int j = 0; j < width; j++) {
        cols[j] = t.columnOf(indices.get(j));
        if (cols[j] < 0) {
          throw new IllegalArgumentException(
              "tensor " + name + " of " + store.dir() + " does not hold "
                  + (kind == StoreTensor.Kind.SAE_ACTS ? "SAE feature " : "dimension ") + indices.get(j));
        }
      }
    }
    return store.matrix(name, rows, cols);
  }
}
