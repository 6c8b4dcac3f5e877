package refusallens.core.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NumPy {@code .npy} arrays (format versions 1-3; little-endian f2/f4/f8/i4/i8; C or Fortran order) read into float32
 * INDArrays.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int CHUNK_BYTES = 1 << 20;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** An array's header: element type, shape. */
  public record Header(DType dtype, long[] shape, boolean fortranOrder) {
    public Header {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  /** Reads the {@code .npy} file {@code path} as float32. */
  public static INDArray readFloat(Path path) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
      return readFloat(in, path, "");
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read: " + e, e);
    }
  }

  /**
   * Reads one array from {@code in} as float32; {@code file} and {@code where} (e.g. "entry 'W_enc.npy': ")
   * only label errors.
   */
  static INDArray readFloat(InputStream in, Path file, String where) throws IOException {
    Header h = readHeader(in, file, where);
    ArrayFill fill = ArrayFill.floats(h.dtype(), h.shape(), h.fortranOrder() ? 'f' : 'c');
    byte[] buf = new byte[CHUNK_BYTES];
    long left = fill.remainingBytes();
    while (left > 0) {
      int want = (int) Math.min(buf.length, left);
      int got = in.readNBytes(buf, 0, want);
      if (got < want) {
        throw new TensorFileException(
            file,
            where
                + "data truncated: "
                + h.dtype()
                + " x "
                + java.util.Arrays.toString(h.shape())
                + " needs "
                + fill.remainingBytes()
                + " more bytes, only "
                + got
                + " left");
      }
      fill.append(ByteBuffer.wrap(buf, 0, got));
      left -= got;
    }
    return fill.finish();
  }

  /** Reads and checks the magic, version and header dict. */
  static Header readHeader(InputStream in, Path file, String where) throws IOException {
    byte[] pre = in.readNBytes(8);
    if (pre.length < 8) {
      throw new TensorFileException(file, where + "truncated: shorter than the .npy preamble");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (pre[i] != MAGIC[i]) {
        throw new TensorFileException(file, where + "not a .npy array (bad magic)");
      }
    }
    int major = pre[6] & 0xff;
    long headerLen;
    if (major == 1) {
      byte[] l = in.readNBytes(2);
      if (l.length < 2) {
        throw new TensorFileException(file, where + "truncated .npy header");
      }
      headerLen = (l[0] & 0xff) | ((l[1] & 0xff) << 8);
    } else if (major == 2 || major == 3) {
      byte[] l = in.readNBytes(4);
      if (l.length < 4) {
        throw new TensorFileException(file, where + "truncated .npy header");
      }
      headerLen = (l[0] & 0xffL) | ((l[1] & 0xffL) << 8) | ((l[2] & 0xffL) << 16) | ((l[3] & 0xffL) << 24);
    } else {
      throw new TensorFileException(file, where + "unsupported .npy format version " + major + " (1, 2 or 3)");
    }
    if (headerLen > SafetensorsFile.MAX_HEADER_BYTES) {
      throw new TensorFileException(file, where + ".npy header length " + headerLen + " is implausible");
    }
    byte[] hb = in.readNBytes((int) headerLen);
    if (hb.length < headerLen) {
      throw new TensorFileException(file, where + "truncated .npy header");
    }
    String dict = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).trim();
    return parseDict(dict, file, where);
  }

  private static Header parseDict(String dict, Path file, String where) {
    Matcher d = DESCR.matcher(dict);
    Matcher f = FORTRAN.matcher(dict);
    Matcher s = SHAPE.matcher(dict);
    if (!dict.startsWith("{") || !d.find() || !f.find() || !s.find()) {
      throw new TensorFileException(
          file, where + "bad .npy header (needs 'descr', 'fortran_order', 'shape'): " + dict);
    }
    DType dtype =
        switch (d.group(1)) {
          case "<f4" -> DType.F32;
          case "<f8" -> DType.F64;
          case "<f2" -> DType.F16;
          case "<i4" -> DType.I32;
          case "<i8" -> DType.I64;
          default -> throw new TensorFileException(
              file,
              where
                  + "unsupported .npy dtype '"
                  + d.group(1)
                  + "' (supported: '<f4', '<f8', '<f2', '<i4', '<i8'; little-endian only)");
        };
    List<Long> dims = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      if (p.endsWith("L")) { // Python 2 longs
        p = p.substring(0, p.length() - 1);
      }
      try {
        long v = Long.parseLong(p);
        if (v < 0) {
          throw new NumberFormatException();
        }
        dims.add(v);
      } catch (NumberFormatException e) {
        throw new TensorFileException(file, where + "bad .npy shape (" + s.group(1) + ")");
      }
    }
    return new Header(dtype, dims.stream().mapToLong(Long::longValue).toArray(), f.group(1).equals("True"));
  }
}
