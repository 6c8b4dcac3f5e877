package refusallens.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor the architecture needs: checkpoint name, the shape the config implies, and which config
 * keys imply it (for error messages).
 */
public record WeightSpec(String name, long[] shape, String impliedBy) {
  public WeightSpec {
    Objects.requireNonNull(name, "name");
    shape = shape.clone();
    Objects.requireNonNull(impliedBy, "impliedBy");
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightSpec w && name.equals(w.name) && Arrays.equals(shape, w.shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
