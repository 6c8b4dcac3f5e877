package refusallens.core.model.ops;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense float32 tensor on the Java heap, always row-major and contiguous: the tensor type of
 * {@link PlainJavaOps}. Operations never write into an existing tensor, so a reshape may share the data.
 */
public final class FloatTensor {
  private final int[] shape;
  private final float[] data;
  /** For a rank-2 weight [out, in] used by {@link PlainJavaOps#linear}: its [in][out] rows, made once. */
  private volatile float[][] transposed;

  /** Wraps {@code data} (not copied) as a tensor of {@code shape}. */
  public FloatTensor(float[] data, int... shape) {
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= s;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
    this.shape = shape.clone();
    this.data = data;
  }

  /** A zero tensor of {@code shape}. */
  public static FloatTensor zeros(int... shape) {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    return new FloatTensor(new float[Math.toIntExact(n)], shape);
  }

  /** A copy of an ND4J array (any data type, any ordering or view) as float32. */
  public static FloatTensor of(INDArray a) {
    INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
    long[] s = f.shape();
    int[] shape = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = Math.toIntExact(s[i]);
    }
    float[] values = new float[Math.toIntExact(f.length())];
    if (values.length > 0) {
      INDArray c = EagerOps.contiguous(f);
      // a bulk copy through NIO: DataBuffer.asFloat() copies element by element (~4x slower)
      c.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer().position((int) c.offset()).get(values);
    }
    return new FloatTensor(values, shape);
  }

  /** This tensor as a new FLOAT ND4J array of the same shape (rank 0 gives a scalar). */
  public INDArray toNd4j() {
    if (shape.length == 0) {
      return Nd4j.scalar(DataType.FLOAT, data[0]);
    }
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, longShape(), 'c');
    if (data.length > 0) {
      // a bulk copy through NIO: Nd4j.create(float[]) copies element by element (~2-3x slower)
      out.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer().put(data);
    }
    return out;
  }

  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code dim}. */
  public int size(int dim) {
    return shape[dim];
  }

  /** The shape (a copy). */
  public int[] shape() {
    return shape.clone();
  }

  public long[] longShape() {
    long[] out = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      out[i] = shape[i];
    }
    return out;
  }

  /** Number of elements. */
  public int length() {
    return data.length;
  }

  /** The backing row-major data: read it, never write it (tensors may share data). */
  public float[] data() {
    return data;
  }

  int[] shapeRef() {
    return shape;
  }

  /** The same data under another shape of equal length. */
  FloatTensor view(int... newShape) {
    return new FloatTensor(data, newShape);
  }

  /**
   * The transpose of a rank-2 tensor [rows, cols] as {@code cols} arrays of {@code rows} values, computed on
   * first use and kept (a weight [out, in] is multiplied by as [in][out] rows on every pass).
   */
  float[][] transposedRows() {
    float[][] t = transposed;
    if (t == null) {
      if (shape.length != 2) {
        throw new IllegalArgumentException("transpose needs a rank-2 tensor, got shape " + Arrays.toString(shape));
      }
      int rows = shape[0];
      int cols = shape[1];
      t = new float[cols][rows];
      for (int r = 0; r < rows; r++) {
        int ro = r * cols;
        for (int c = 0; c < cols; c++) {
          t[c][r] = data[ro + c];
        }
      }
      transposed = t;
    }
    return t;
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
