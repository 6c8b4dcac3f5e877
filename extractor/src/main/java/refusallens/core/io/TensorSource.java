package refusallens.core.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Named tensors read from disk on demand: one safetensors file, or a sharded checkpoint. */
public interface TensorSource extends AutoCloseable {

  /** Tensor names, in file order. */
  Set<String> names();

  /** Whether a tensor of that name exists. */
  default boolean contains(String name) {
    return names().contains(name);
  }

  /** The entry of tensor {@code name}; a {@link TensorFileException} if missing. */
  TensorInfo info(String name);

  /** The file that holds tensor {@code name} (for messages). */
  Path fileOf(String name);

  /** Tensor {@code name} as a float32 array; BF16/F16/F64 are widened, integer types are refused. */
  INDArray getFloat(String name);

  /** Tensor {@code name} with its type kept where ND4J has it (I64 as LONG, I32 as INT), floats as float32. */
  INDArray get(String name);

  /**
   * The tensor's bytes (little-endian, read-only, memory-mapped), for callers that widen lazily. Tensors over
   * 2 GiB cannot be one buffer: use {@link #rawRange}.
   */
  ByteBuffer raw(String name);

  /** Bytes {@code [offset, offset + length)} of tensor {@code name}'s data (little-endian, read-only). */
  ByteBuffer rawRange(String name, long offset, int length);

  /** Tensor {@code name} as float32, failing clearly if it is missing or its shape is not {@code expectedShape}. */
  default INDArray getFloat(String name, long... expectedShape) {
    requireShape(name, expectedShape);
    return getFloat(name);
  }

  /** Fails clearly if tensor {@code name} is missing or its shape is not {@code expectedShape}. */
  default TensorInfo requireShape(String name, long... expectedShape) {
    TensorInfo info = info(name);
    if (!Arrays.equals(info.shape(), expectedShape)) {
      throw new TensorFileException(
          fileOf(name),
          "tensor '"
              + name
              + "' has shape "
              + info.shapeString()
              + ", expected "
              + Arrays.toString(expectedShape));
    }
    return info;
  }

  @Override
  void close();
}
