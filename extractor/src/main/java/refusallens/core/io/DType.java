package refusallens.core.io;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Element types of the safetensors format (names as in its header), with their sizes in bytes. */
public enum DType {
  BOOL(1),
  U8(1),
  I8(1),
  F8_E4M3(1),
  F8_E5M2(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  I64(8),
  U64(8),
  F64(8);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** Whether {@link TensorSource#getFloat} can widen this type to float32 exactly or by rounding only. */
  public boolean isFloating() {
    return this == F32 || this == F16 || this == BF16 || this == F64;
  }

  /** The type named {@code name} in a safetensors header, if it is one. */
  public static Optional<DType> parse(String name) {
    for (DType d : values()) {
      if (d.name().equals(name)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** All names, for error messages. */
  public static String allNames() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
