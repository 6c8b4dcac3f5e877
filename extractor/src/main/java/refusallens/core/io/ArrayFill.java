package refusallens.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fills a fresh C-order INDArray from little-endian element bytes arriving in pieces (a mapped tensor, or
 * a stream from a zip), converting the file's type to the array's type in bounded chunks.
 */
final class ArrayFill {
  private static final int CHUNK = 1 << 16; // elements converted per step

  private final INDArray array;
  private final DType source;
  private final long total;
  private long filled;
  private final float[] floats;
  private final long[] longs;
  private final int[] ints;
  private FloatPointer floatDst; // the array's memory, created on first write
  private short[] shorts; // scratch for 16-bit sources
  private double[] doubles; // scratch for F64

  private ArrayFill(INDArray array, DType source) {
    this.array = array;
    this.source = source;
    this.total = array.length();
    DataType t = array.dataType();
    this.floats = t == DataType.FLOAT ? new float[(int) Math.min(CHUNK, Math.max(total, 1))] : null;
    this.longs = t == DataType.LONG ? new long[(int) Math.min(CHUNK, Math.max(total, 1))] : null;
    this.ints = t == DataType.INT ? new int[(int) Math.min(CHUNK, Math.max(total, 1))] : null;
  }

  /** A filler for a float32 array of {@code shape} from elements of {@code source} (a floating or integer type). */
  static ArrayFill floats(DType source, long[] shape) {
    return new ArrayFill(create(DataType.FLOAT, shape, 'c'), source);
  }

  /**
   * A filler for a float32 array of {@code shape} whose elements arrive in {@code order} ('c' or 'f', as a
   * .npy with fortran_order True); {@link #finish} returns it in C order.
   */
  static ArrayFill floats(DType source, long[] shape, char order) {
    return new ArrayFill(create(DataType.FLOAT, shape, order), source);
  }

  /** A filler for an integer array (LONG for I64, INT for I32) of {@code shape}. */
  static ArrayFill integers(DType source, long[] shape) {
    DataType t =
        switch (source) {
          case I64 -> DataType.LONG;
          case I32 -> DataType.INT;
          default -> throw new IllegalArgumentException("not an integer type: " + source);
        };
    return new ArrayFill(create(t, shape, 'c'), source);
  }

  private static INDArray create(DataType t, long[] shape, char order) {
    if (shape.length == 0) {
      return Nd4j.scalar(t, 0);
    }
    for (long d : shape) {
      if (d == 0) {
        return Nd4j.create(t, shape);
      }
    }
    return Nd4j.createUninitialized(t, shape, order);
  }

  /** Bytes still expected. */
  long remainingBytes() {
    return (total - filled) * source.bytes();
  }

  /** Consumes all whole elements of {@code in} (position..limit); {@code in} must hold whole elements. */
  void append(ByteBuffer in) {
    ByteBuffer b = in.slice().order(ByteOrder.LITTLE_ENDIAN);
    int elems = b.remaining() / source.bytes();
    if (elems * (long) source.bytes() != b.remaining() || filled + elems > total) {
      throw new IllegalStateException("element bytes do not fit the array");
    }
    int done = 0;
    while (done < elems) {
      int n = Math.min(elems - done, chunkLength());
      convert(b, n);
      done += n;
    }
    in.position(in.limit());
  }

  private int chunkLength() {
    return floats != null ? floats.length : longs != null ? longs.length : ints.length;
  }

  private void convert(ByteBuffer b, int n) {
    if (floats != null) {
      // Bulk-copy the raw elements into a Java array first (a memcpy on little-endian hosts), then widen.
      switch (source) {
        case F32 -> b.asFloatBuffer().get(floats, 0, n);
        case F64 -> {
          double[] d = scratchDoubles(n);
          b.asDoubleBuffer().get(d, 0, n);
          for (int i = 0; i < n; i++) floats[i] = (float) d[i];
        }
        case BF16 -> {
          short[] s = scratchShorts(n);
          b.asShortBuffer().get(s, 0, n);
          for (int i = 0; i < n; i++) floats[i] = HalfFloats.bf16ToFloat(s[i]);
        }
        case F16 -> {
          short[] s = scratchShorts(n);
          b.asShortBuffer().get(s, 0, n);
          for (int i = 0; i < n; i++) floats[i] = HalfFloats.halfToFloat(s[i]);
        }
        case I32 -> {
          int[] s = new int[n];
          b.asIntBuffer().get(s, 0, n);
          for (int i = 0; i < n; i++) floats[i] = s[i];
        }
        case I64 -> {
          long[] s = new long[n];
          b.asLongBuffer().get(s, 0, n);
          for (int i = 0; i < n; i++) floats[i] = s[i];
        }
        default -> throw new IllegalStateException("cannot widen " + source + " to float32");
      }
      floatDst().position(filled).put(floats, 0, n);
    } else if (longs != null) {
      b.asLongBuffer().get(longs, 0, n);
      new LongPointer(array.data().addressPointer()).position(filled).put(longs, 0, n);
    } else {
      b.asIntBuffer().get(ints, 0, n);
      new IntPointer(array.data().addressPointer()).position(filled).put(ints, 0, n);
    }
    b.position(b.position() + n * source.bytes());
    filled += n;
  }

  private FloatPointer floatDst() {
    if (floatDst == null) {
      floatDst = new FloatPointer(array.data().addressPointer());
    }
    return floatDst;
  }

  private short[] scratchShorts(int n) {
    if (shorts == null || shorts.length < n) {
      shorts = new short[chunkLength()];
    }
    return shorts;
  }

  private double[] scratchDoubles(int n) {
    if (doubles == null || doubles.length < n) {
      doubles = new double[chunkLength()];
    }
    return doubles;
  }

  /** The filled array; fails if bytes are missing. */
  INDArray finish() {
    if (filled != total) {
      throw new IllegalStateException("array incomplete: " + filled + " of " + total + " elements");
    }
    return array.ordering() == 'c' ? array : array.dup('c');
  }
}
