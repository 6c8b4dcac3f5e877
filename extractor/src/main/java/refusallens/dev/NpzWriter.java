package refusallens.dev;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.files.AtomicFiles;
import refusallens.core.io.TensorFileException;

/**
 * Writes a NumPy {@code .npz} archive of float32 arrays as {@code np.savez} does (stored, uncompressed zip entries
 * {@code NAME.npy}, format 1.0 headers padded to 64 bytes, C order, little-endian), atomically. The data is
 * streamed: the writer never holds a second copy of an array.
 */
public final class NpzWriter {
  private static final int CHUNK = 1 << 16; // floats converted per write

  private final Map<String, INDArray> arrays = new LinkedHashMap<>();

  /** Adds {@code a} (widened or narrowed to float32, C order) as entry {@code name}.npy. */
  public NpzWriter putF32(String name, INDArray a) {
    if (name == null || name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException("bad array name '" + name + "'");
    }
    if (arrays.containsKey(name)) {
      throw new IllegalArgumentException("array '" + name + "' added twice");
    }
    INDArray c = a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() ? a : a.castTo(DataType.FLOAT).dup('c');
    arrays.put(name, c);
    return this;
  }

  /** Writes the archive to {@code path} (replacing it); a failure leaves no partial file. */
  public void write(Path path) {
    Path abs = path.toAbsolutePath();
    try {
      AtomicFiles.writeWith(abs, tmp -> {
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20))) {
          for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            byte[] header = header(e.getValue().shape());
            // a stored entry needs its size and CRC before its data: one pass to checksum, one to write
            CRC32 crc = new CRC32();
            crc.update(header);
            stream(e.getValue(), crc::update);
            ZipEntry z = new ZipEntry(e.getKey() + ".npy");
            z.setMethod(ZipEntry.STORED);
            long size = header.length + 4L * e.getValue().length();
            z.setSize(size);
            z.setCompressedSize(size);
            z.setCrc(crc.getValue());
            zip.putNextEntry(z);
            zip.write(header);
            stream(e.getValue(), zip::write);
            zip.closeEntry();
          }
        }
      });
    } catch (UncheckedIOException e) {
      throw new TensorFileException(abs, "cannot write: " + e.getCause(), e);
    }
  }

  /** The {@code .npy} 1.0 header of a little-endian float32 C-order array of {@code shape}. */
  static byte[] header(long[] shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      s.append(shape[i]).append(shape.length == 1 || i < shape.length - 1 ? "," : "");
      if (i < shape.length - 1) {
        s.append(' ');
      }
    }
    s.append(')');
    StringBuilder h = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + s + ", }");
    while ((10 + h.length() + 1) % 64 != 0) { // magic (6) + version (2) + length (2) + text + '\n'
      h.append(' ');
    }
    h.append('\n');
    ByteBuffer b = ByteBuffer.allocate(10 + h.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
    b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }

  /** A sink of byte ranges. */
  private interface Bytes {
    void accept(byte[] b, int off, int len) throws IOException;
  }

  private static void stream(INDArray a, Bytes sink) throws IOException {
    long n = a.length();
    FloatPointer p = new FloatPointer(a.data().addressPointer());
    float[] buf = new float[CHUNK];
    ByteBuffer out = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (long off = 0; off < n; off += CHUNK) {
      int len = (int) Math.min(CHUNK, n - off);
      p.position(off).get(buf, 0, len);
      out.clear();
      out.asFloatBuffer().put(buf, 0, len);
      sink.accept(out.array(), 0, len * 4);
    }
  }
}
