package refusallens.core.intervention;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual-stream direction as its unit vector and its original length: the one place where the direction
 * interventions ({@link DirectionAblation}, {@link DirectionAddition}) validate and normalise a direction.
 */
public final class UnitDirection {
  private final INDArray unit; // [d], ||unit|| = 1
  private final double norm; // ||direction|| before normalisation

  private UnitDirection(INDArray unit, double norm) {
    this.unit = unit;
    this.norm = norm;
  }

  /** {@code direction} [d] (or [1, d]) of any finite non-zero length, normalised. */
  public static UnitDirection of(INDArray direction) {
    if (direction.rank() != 1 && !(direction.rank() == 2 && direction.size(0) == 1)) {
      throw new IllegalArgumentException("a direction is a vector [d], got " + Arrays.toString(direction.shape()));
    }
    INDArray v = direction.castTo(DataType.FLOAT).reshape(direction.length()).dup();
    double n = v.norm2Number().doubleValue();
    if (!(n > 0) || !Double.isFinite(n)) {
      throw new IllegalArgumentException("a direction of norm " + n + " has no unit vector");
    }
    return new UnitDirection(v.divi(n), n);
  }

  /** The unit vector [d] (a copy). */
  public INDArray unit() {
    return unit.dup();
  }

  /** Length of the direction given to {@link #of}. */
  public double norm() {
    return norm;
  }

  public int dModel() {
    return (int) unit.length();
  }

  /** x [..., d] projected on the unit vector: [N] with N = x.length / d, in row-major order of x's rows. */
  public INDArray project(INDArray x) {
    requireWidth(x.size(x.rank() - 1));
    INDArray flat = x.castTo(DataType.FLOAT).reshape(x.length() / dModel(), dModel()); // [N, d]
    return flat.mmul(unit.reshape(dModel(), 1)).reshape(flat.size(0)); // [N]
  }

  /** Throws unless activations of width {@code d} fit this direction. */
  void requireWidth(long d) {
    if (d != dModel()) {
      throw new IllegalArgumentException("a direction of width " + dModel() + " given activations of width " + d);
    }
  }

  /** The unit vector as a column [d, 1] (shared, not to be modified). */
  INDArray column() {
    return unit.reshape(dModel(), 1);
  }

  /** The unit vector as a row [1, d] (shared, not to be modified). */
  INDArray row() {
    return unit.reshape(1, dModel());
  }
}
