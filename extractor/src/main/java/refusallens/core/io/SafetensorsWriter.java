package refusallens.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Collects tensors (F32, BF16, I64, I32) and string metadata, then writes one safetensors file atomically
 * (a temp file in the same directory, renamed into place), readable by Python's {@code safetensors}.
 */
public final class SafetensorsWriter {
  private static final int CHUNK = 1 << 16; // elements converted per write

  private record Entry(String name, DType dtype, INDArray data, long[] shape) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds {@code a} stored as float32. */
  public SafetensorsWriter putF32(String name, INDArray a) {
    return put(name, DType.F32, a);
  }

  /** Adds {@code a} stored as bfloat16 (rounded to nearest even, as PyTorch's {@code .to(torch.bfloat16)}). */
  public SafetensorsWriter putBf16(String name, INDArray a) {
    return put(name, DType.BF16, a);
  }

  /** Adds integer array {@code a} stored as int64. */
  public SafetensorsWriter putI64(String name, INDArray a) {
    return put(name, DType.I64, a);
  }

  /** Adds integer array {@code a} stored as int32. */
  public SafetensorsWriter putI32(String name, INDArray a) {
    return put(name, DType.I32, a);
  }

  /** Adds {@code a} stored as {@code dtype} (F32, BF16, I64 or I32; integers only from integer arrays). */
  public SafetensorsWriter put(String name, DType dtype, INDArray a) {
    if (name == null || name.isEmpty() || name.equals("__metadata__")) {
      throw new IllegalArgumentException("bad tensor name '" + name + "'");
    }
    if (entries.containsKey(name)) {
      throw new IllegalArgumentException("tensor '" + name + "' added twice");
    }
    DataType want =
        switch (dtype) {
          case F32, BF16 -> DataType.FLOAT;
          case I64 -> DataType.LONG;
          case I32 -> DataType.INT;
          default -> throw new IllegalArgumentException("cannot write dtype " + dtype + " (F32, BF16, I64, I32)");
        };
    if ((dtype == DType.I64 || dtype == DType.I32) && !a.dataType().isIntType()) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + dtype + " needs an integer array, got " + a.dataType());
    }
    INDArray c = a.castTo(want).dup('c');
    entries.put(name, new Entry(name, dtype, c, a.shape()));
    return this;
  }

  /** Adds a {@code __metadata__} string entry. */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Writes all tensors to {@code path} atomically (replacing it); a failure leaves no partial file. */
  public void write(Path path) {
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    // Widest types first keeps every tensor aligned to its element size, as the reference writer does.
    List<Entry> order = new ArrayList<>(entries.values());
    order.sort(Comparator.comparingInt((Entry e) -> -e.dtype().bytes()));
    ObjectNode header = SafetensorsFile.JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    for (Entry e : order) {
      long bytes = Math.multiplyExact(e.data().length(), (long) e.dtype().bytes());
      ObjectNode t = header.putObject(e.name());
      t.put("dtype", e.dtype().name());
      ArrayNode shape = t.putArray("shape");
      for (long s : e.shape()) {
        shape.add(s);
      }
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = SafetensorsFile.JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    int padded = (json.length + 7) / 8 * 8; // spaces to an 8-byte boundary, as the reference does
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        writeAll(ch, head);
        for (Entry e : order) {
          writeData(ch, e);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new TensorFileException(abs, "the file system cannot rename atomically: " + e.getMessage(), e);
      }
      tmp = null;
    } catch (IOException e) {
      throw new TensorFileException(abs, "cannot write: " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temp file name starts with '.', so it is hidden and never mistaken for output
        }
      }
    }
  }

  private static void writeData(FileChannel ch, Entry e) throws IOException {
    long n = e.data().length();
    if (n == 0) {
      return;
    }
    ByteBuffer out = ByteBuffer.allocate(CHUNK * e.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (e.dtype()) {
      case F32, BF16 -> {
        FloatPointer p = new FloatPointer(e.data().data().addressPointer());
        float[] buf = new float[CHUNK];
        for (long off = 0; off < n; off += CHUNK) {
          int len = (int) Math.min(CHUNK, n - off);
          p.position(off).get(buf, 0, len);
          out.clear();
          if (e.dtype() == DType.F32) {
            out.asFloatBuffer().put(buf, 0, len);
          } else {
            for (int i = 0; i < len; i++) {
              out.putShort(i * 2, HalfFloats.floatToBf16(buf[i]));
            }
          }
          out.limit(len * e.dtype().bytes());
          writeAll(ch, out);
        }
      }
      case I64 -> {
        LongPointer p = new LongPointer(e.data().data().addressPointer());
        long[] buf = new long[CHUNK];
        for (long off = 0; off < n; off += CHUNK) {
          int len = (int) Math.min(CHUNK, n - off);
          p.position(off).get(buf, 0, len);
          out.clear();
          out.asLongBuffer().put(buf, 0, len);
          out.limit(len * 8);
          writeAll(ch, out);
        }
      }
      case I32 -> {
        IntPointer p = new IntPointer(e.data().data().addressPointer());
        int[] buf = new int[CHUNK];
        for (long off = 0; off < n; off += CHUNK) {
          int len = (int) Math.min(CHUNK, n - off);
          p.position(off).get(buf, 0, len);
          out.clear();
          out.asIntBuffer().put(buf, 0, len);
          out.limit(len * 4);
          writeAll(ch, out);
        }
      }
      default -> throw new IllegalStateException(e.dtype().name());
    }
  }

  private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
