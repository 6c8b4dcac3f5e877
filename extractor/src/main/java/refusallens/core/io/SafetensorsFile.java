package refusallens.core.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A safetensors file, memory-mapped one tensor at a time (a single mapping is capped at 2 GiB), validated
 * when opened: header length, JSON, dtypes, and data offsets that must match dtype x shape, stay inside the
 * file and not overlap. Thread-safe for reading.
 */
public final class SafetensorsFile implements TensorSource {
  /** The reference implementation's limit on the JSON header. */
  static final long MAX_HEADER_BYTES = 100L << 20;
  /** Bytes widened per step when a tensor is read (well under the 2 GiB mapping cap, a multiple of 8). */
  private static final int WINDOW_BYTES = 1 << 28;

  static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors; // in file (data offset) order
  private final Map<String, String> metadata;
  private final Map<String, ByteBuffer> mapped = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private SafetensorsFile(
      Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens and validates {@code path}; a {@link TensorFileException} names what is wrong. */
  public static SafetensorsFile open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot open safetensors file: " + e, e);
    }
    try {
      return parse(path, ch);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  private static SafetensorsFile parse(Path path, FileChannel ch) {
    long size;
    try {
      size = ch.size();
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read size: " + e, e);
    }
    if (size < 8) {
      throw new TensorFileException(
          path, "truncated: " + size + " bytes, shorter than the 8-byte header length field");
    }
    ByteBuffer lenBuf = readFully(path, ch, 0, 8);
    long headerLen = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    if (headerLen < 0 || headerLen > size - 8) {
      throw new TensorFileException(
          path,
          "header length "
              + Long.toUnsignedString(headerLen)
              + " runs past the end of the file ("
              + size
              + " bytes): truncated or not a safetensors file");
    }
    if (headerLen > MAX_HEADER_BYTES) {
      throw new TensorFileException(
          path, "header length " + headerLen + " exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
    }
    ByteBuffer hb = readFully(path, ch, 8, (int) headerLen);
    String header = StandardCharsets.UTF_8.decode(hb).toString();
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JsonProcessingException e) {
      throw new TensorFileException(path, "bad JSON header: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new TensorFileException(path, "bad JSON header: expected a JSON object");
    }
    long dataSize = size - 8 - headerLen;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> infos = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        readMetadata(path, e.getValue(), metadata);
      } else {
        infos.add(readEntry(path, e.getKey(), e.getValue(), dataSize));
      }
    }
    List<TensorInfo> byOffset = new ArrayList<>(infos);
    byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    for (int i = 1; i < byOffset.size(); i++) {
      TensorInfo a = byOffset.get(i - 1);
      TensorInfo b = byOffset.get(i);
      if (a.end() > b.begin()) {
        throw new TensorFileException(
            path,
            "data of tensors '"
                + a.name()
                + "' [" + a.begin() + ", " + a.end() + ") and '"
                + b.name()
                + "' [" + b.begin() + ", " + b.end() + ") overlap");
      }
    }
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (TensorInfo t : byOffset) {
      tensors.put(t.name(), t);
    }
    return new SafetensorsFile(
        path, ch, 8 + headerLen, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
  }

  private static void readMetadata(Path path, JsonNode node, Map<String, String> out) {
    if (!node.isObject()) {
      throw new TensorFileException(path, "bad JSON header: __metadata__ must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      if (!m.getValue().isTextual()) {
        throw new TensorFileException(
            path, "bad JSON header: __metadata__ value of '" + m.getKey() + "' is not a string");
      }
      out.put(m.getKey(), m.getValue().asText());
    }
  }

  private static TensorInfo readEntry(Path path, String name, JsonNode node, long dataSize) {
    String where = "tensor '" + name + "'";
    if (!node.isObject()) {
      throw new TensorFileException(path, "bad JSON header: " + where + " is not an object");
    }
    JsonNode dt = node.get("dtype");
    JsonNode sh = node.get("shape");
    JsonNode off = node.get("data_offsets");
    if (dt == null || !dt.isTextual() || sh == null || !sh.isArray() || off == null || !off.isArray()) {
      throw new TensorFileException(
          path, "bad JSON header: " + where + " needs string 'dtype', array 'shape' and array 'data_offsets'");
    }
    DType dtype =
        DType.parse(dt.asText())
            .orElseThrow(
                () ->
                    new TensorFileException(
                        path,
                        where + " has unknown dtype '" + dt.asText() + "' (known: " + DType.allNames() + ")"));
    long[] shape = new long[sh.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = sh.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
        throw new TensorFileException(path, "bad JSON header: " + where + " has a bad shape " + sh);
      }
      shape[i] = d.asLong();
    }
    if (off.size() != 2
        || !off.get(0).isIntegralNumber()
        || !off.get(1).isIntegralNumber()
        || !off.get(0).canConvertToLong()
        || !off.get(1).canConvertToLong()) {
      throw new TensorFileException(
          path, "bad JSON header: " + where + " data_offsets must be two integers, got " + off);
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new TensorFileException(path, where + " has bad data_offsets [" + begin + ", " + end + "]");
    }
    if (end > dataSize) {
      throw new TensorFileException(
          path,
          where
              + " data_offsets ["
              + begin
              + ", "
              + end
              + "] run past the end of the data section ("
              + dataSize
              + " bytes): file truncated?");
    }
    TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
    long need;
    try {
      need = Math.multiplyExact(info.numel(), dtype.bytes());
    } catch (ArithmeticException e) {
      throw new TensorFileException(path, where + " has an impossibly large shape " + info.shapeString());
    }
    if (need != end - begin) {
      throw new TensorFileException(
          path,
          where
              + " data_offsets ["
              + begin
              + ", "
              + end
              + "] hold "
              + (end - begin)
              + " bytes but "
              + dtype
              + " x "
              + info.shapeString()
              + " needs "
              + need);
    }
    return info;
  }

  private static ByteBuffer readFully(Path path, FileChannel ch, long pos, int len) {
    ByteBuffer b = ByteBuffer.allocate(len);
    try {
      while (b.hasRemaining()) {
        int n = ch.read(b, pos + b.position());
        if (n < 0) {
          throw new TensorFileException(path, "truncated: file ended while reading the header");
        }
      }
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read: " + e, e);
    }
    return b.flip();
  }

  /** The file. */
  public Path path() {
    return path;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(tensors.keySet()));
  }

  @Override
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  @Override
  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new TensorFileException(path, "tensor '" + name + "' missing (file has " + tensors.size() + " tensors)");
    }
    return t;
  }

  @Override
  public Path fileOf(String name) {
    return path;
  }

  /** The {@code __metadata__} string map (empty if none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public INDArray getFloat(String name) {
    TensorInfo t = info(name);
    if (!t.dtype().isFloating()) {
      throw new TensorFileException(
          path, "tensor '" + name + "' is " + t.dtype() + ", not a float type (read it with get())");
    }
    return fill(t, ArrayFill.floats(t.dtype(), t.shape()));
  }

  @Override
  public INDArray get(String name) {
    TensorInfo t = info(name);
    return switch (t.dtype()) {
      case F32, F16, BF16, F64 -> getFloat(name);
      case I64, I32 -> fill(t, ArrayFill.integers(t.dtype(), t.shape()));
      default -> throw new TensorFileException(
          path, "tensor '" + name + "' has dtype " + t.dtype() + ", which is not supported (F32, F16, BF16, F64, I64, I32)");
    };
  }

  private INDArray fill(TensorInfo t, ArrayFill fill) {
    long len = t.byteLength();
    for (long off = 0; off < len; off += WINDOW_BYTES) {
      fill.append(rawRange(t.name(), off, (int) Math.min(WINDOW_BYTES, len - off)));
    }
    return fill.finish();
  }

  @Override
  public ByteBuffer raw(String name) {
    TensorInfo t = info(name);
    if (t.byteLength() > Integer.MAX_VALUE) {
      throw new TensorFileException(
          path, "tensor '" + name + "' has " + t.byteLength() + " bytes, over 2 GiB: read it with rawRange");
    }
    return rawRange(name, 0, (int) t.byteLength());
  }

  @Override
  public ByteBuffer rawRange(String name, long offset, int length) {
    ensureOpen();
    TensorInfo t = info(name);
    if (offset < 0 || length < 0 || offset + length > t.byteLength()) {
      throw new IndexOutOfBoundsException(
          "range [" + offset + ", " + (offset + length) + ") outside tensor '" + name + "' of " + t.byteLength() + " bytes");
    }
    if (t.byteLength() <= Integer.MAX_VALUE) {
      ByteBuffer whole = mapped.computeIfAbsent(name, n -> map(t.begin(), (int) t.byteLength()));
      return whole.duplicate().position((int) offset).limit((int) (offset + length)).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
    return map(t.begin() + offset, length);
  }

  private ByteBuffer map(long begin, int length) {
    try {
      return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, length).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot map tensor data: " + e, e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(path + ": safetensors file is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing a read-only channel: nothing to recover
    }
  }
}
