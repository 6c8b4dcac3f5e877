package refusallens.core.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each malformed input is a {@link TensorFileException} naming the file and what is wrong. */
class MalformedFilesTest {
  @TempDir Path tmp;

  /** Writes a safetensors file with the given header JSON (unpadded) and data bytes. */
  static void writeRaw(Path p, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Files.write(p, b.array());
  }

  private static void assertFails(Path file, String fragment, Executable ex) {
    TensorFileException e = assertThrows(TensorFileException.class, ex);
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "says '" + fragment + "': " + e.getMessage());
  }

  private static String entry(String name, String dtype, String shape, long b, long e) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + b + "," + e + "]}";
  }

  private Path good() {
    Path p = tmp.resolve("good.safetensors");
    new SafetensorsWriter().putF32("w", Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}})).write(p);
    return p;
  }

  @Test
  void fileShorterThanTheLengthField() throws IOException {
    Path p = tmp.resolve("short.safetensors");
    Files.write(p, new byte[] {1, 2, 3});
    assertFails(p, "truncated", () -> SafetensorsFile.open(p));
  }

  @Test
  void truncatedData() throws IOException {
    byte[] all = Files.readAllBytes(good());
    Path p = tmp.resolve("cut.safetensors");
    Files.write(p, java.util.Arrays.copyOf(all, all.length - 5));
    assertFails(p, "run past the end of the data section", () -> SafetensorsFile.open(p));
  }

  @Test
  void headerLengthPastTheEnd() throws IOException {
    byte[] all = Files.readAllBytes(good());
    Path p = tmp.resolve("cuthead.safetensors");
    Files.write(p, java.util.Arrays.copyOf(all, 20));
    assertFails(p, "header length", () -> SafetensorsFile.open(p));
    Path q = tmp.resolve("huge.safetensors");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
    Files.write(q, b.array());
    assertFails(q, "runs past the end of the file", () -> SafetensorsFile.open(q));
  }

  @Test
  void badJsonHeader() throws IOException {
    Path p = tmp.resolve("json.safetensors");
    writeRaw(p, "{\"w\": {\"dtype\": \"F32\", ", new byte[0]);
    assertFails(p, "bad JSON header", () -> SafetensorsFile.open(p));
    Path q = tmp.resolve("arr.safetensors");
    writeRaw(q, "[1, 2]", new byte[0]);
    assertFails(q, "expected a JSON object", () -> SafetensorsFile.open(q));
    Path r = tmp.resolve("fields.safetensors");
    writeRaw(r, "{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", new byte[4]);
    assertFails(r, "data_offsets", () -> SafetensorsFile.open(r));
    Path s = tmp.resolve("dup.safetensors");
    writeRaw(s, "{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}", new byte[8]);
    assertFails(s, "bad JSON header", () -> SafetensorsFile.open(s));
  }

  @Test
  void overlappingOffsets() throws IOException {
    Path p = tmp.resolve("overlap.safetensors");
    writeRaw(p, "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", new byte[12]);
    assertFails(p, "overlap", () -> SafetensorsFile.open(p));
  }

  @Test
  void offsetsPastTheEnd() throws IOException {
    Path p = tmp.resolve("past.safetensors");
    writeRaw(p, "{" + entry("a", "F32", "[4]", 0, 16) + "}", new byte[8]);
    assertFails(p, "run past the end", () -> SafetensorsFile.open(p));
  }

  @Test
  void offsetsNotMatchingDtypeTimesShape() throws IOException {
    Path p = tmp.resolve("size.safetensors");
    writeRaw(p, "{" + entry("a", "BF16", "[3]", 0, 8) + "}", new byte[8]);
    assertFails(p, "needs 6", () -> SafetensorsFile.open(p));
    Path q = tmp.resolve("neg.safetensors");
    writeRaw(q, "{" + entry("a", "F32", "[1]", 8, 4) + "}", new byte[8]);
    assertFails(q, "bad data_offsets", () -> SafetensorsFile.open(q));
    Path r = tmp.resolve("shape.safetensors");
    writeRaw(r, "{" + entry("a", "F32", "[-1]", 0, 4) + "}", new byte[4]);
    assertFails(r, "bad shape", () -> SafetensorsFile.open(r));
  }

  @Test
  void unknownDtype() throws IOException {
    Path p = tmp.resolve("dtype.safetensors");
    writeRaw(p, "{" + entry("a", "Q4", "[2]", 0, 2) + "}", new byte[2]);
    assertFails(p, "unknown dtype 'Q4'", () -> SafetensorsFile.open(p));
    Path q = tmp.resolve("u8.safetensors");
    writeRaw(q, "{" + entry("a", "U8", "[2]", 0, 2) + "}", new byte[2]);
    try (SafetensorsFile f = SafetensorsFile.open(q)) {
      assertFails(q, "not a float type", () -> f.getFloat("a"));
      assertFails(q, "not supported", () -> f.get("a"));
    }
  }

  @Test
  void integerTensorReadAsFloatIsRefused() {
    Path p = tmp.resolve("ids.safetensors");
    new SafetensorsWriter().putI64("ids", Nd4j.createFromArray(1L, 2L)).write(p);
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      assertFails(p, "not a float type", () -> f.getFloat("ids"));
    }
    assertThrows(IllegalArgumentException.class, () -> new SafetensorsWriter().putI64("x", Nd4j.createFromArray(1.5f)));
  }

  @Test
  void missingTensorAndWrongShape() {
    Path p = good();
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      assertFails(p, "tensor 'v' missing", () -> f.getFloat("v"));
      assertFails(p, "tensor 'w' has shape [2, 3], expected [3, 2]", () -> f.getFloat("w", 3, 2));
    }
  }

  @Test
  void checkpointErrors() throws IOException {
    assertFails(tmp, "no model.safetensors", () -> SafetensorsCheckpoint.open(tmp));
    Path index = tmp.resolve(SafetensorsCheckpoint.INDEX_FILE);
    Files.writeString(index, "{\"weight_map\": {\"a\": \"gone.safetensors\"}}");
    assertFails(index, "does not exist", () -> SafetensorsCheckpoint.open(tmp));
    good();
    Files.writeString(index, "{\"weight_map\": {\"a\": \"good.safetensors\"}}");
    assertFails(index, "does not hold it", () -> SafetensorsCheckpoint.open(tmp));
    Files.writeString(index, "{\"weight_map\": {\"w\": \"../x.safetensors\"}}");
    assertFails(index, "not a file of this directory", () -> SafetensorsCheckpoint.open(tmp));
    Files.writeString(index, "{\"weight_map\": ");
    assertFails(index, "bad JSON", () -> SafetensorsCheckpoint.open(tmp));
    Files.writeString(index, "{\"weight_map\": {\"w\": \"good.safetensors\"}}");
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(tmp)) {
      assertFails(index, "tensor 'q' missing", () -> ck.getFloat("q"));
    }
  }

  /** A .npy file with the given header dict and data. */
  private static byte[] npy(String dict, byte[] data) {
    StringBuilder h = new StringBuilder(dict);
    while ((10 + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    ByteBuffer b = ByteBuffer.allocate(10 + h.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
    b.put(h.toString().getBytes(StandardCharsets.ISO_8859_1)).put(data);
    return b.array();
  }

  private Path npz(String name, byte[]... arrays) throws IOException {
    Path p = tmp.resolve(name);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (int i = 0; i < arrays.length; i++) {
        z.putNextEntry(new ZipEntry("a" + i + ".npy"));
        z.write(arrays[i]);
        z.closeEntry();
      }
    }
    Files.write(p, bytes.toByteArray());
    return p;
  }

  @Test
  void npyReadsSupportedTypesAndRejectsOthers() throws IOException {
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.25).putDouble(-3);
    ByteBuffer i = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(-9);
    ByteBuffer l = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(123456789L);
    ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3C00).putShort((short) 0xC000);
    Path ok =
        npz(
            "ok.npz",
            npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", d.array()),
            npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }", i.array()),
            npy("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", l.array()),
            npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", h.array()));
    var all = Npz.readFloat(ok);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1.25f, -3f}, all.get("a0").toFloatVector(), 0f);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {1, 2}, all.get("a1").shape());
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {7f, -9f}, all.get("a1").data().asFloat(), 0f);
    org.junit.jupiter.api.Assertions.assertEquals(123456789f, all.get("a2").getFloat(0), 0f);
    org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1f, -2f}, all.get("a3").toFloatVector(), 0f);

    Path be = npz("be.npz", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]));
    assertFails(be, "unsupported .npy dtype '>f4'", () -> Npz.readFloat(be));
    Path u8 = npz("u8.npz", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", new byte[1]));
    assertFails(u8, "entry 'a0.npy': unsupported .npy dtype '|u1'", () -> Npz.readFloat(u8));
    ByteBuffer f6 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : new float[] {1, 4, 2, 5, 3, 6}) { // [[1, 2, 3], [4, 5, 6]] column by column
      f6.putFloat(v);
    }
    Path fo = npz("fo.npz", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f6.array()));
    INDArray fortran = Npz.readFloat(fo, "a0");
    org.junit.jupiter.api.Assertions.assertEquals(Nd4j.createFromArray(new float[][] {{1, 2, 3}, {4, 5, 6}}), fortran);
    org.junit.jupiter.api.Assertions.assertEquals('c', fortran.ordering());
    Path bool = npz("bool.npz", npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", new byte[4]));
    assertFails(bool, "bad .npy header", () -> Npz.readFloat(bool));
    Path cut = npz("cut.npz", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new byte[8]));
    assertFails(cut, "data truncated", () -> Npz.readFloat(cut));
    Path magic = npz("magic.npz", "hello world, not numpy".getBytes(StandardCharsets.US_ASCII));
    assertFails(magic, "bad magic", () -> Npz.readFloat(magic));
    Path dict = npz("dict.npz", npy("{'descr': '<f4', 'shape': (1,), }", new byte[4]));
    assertFails(dict, "bad .npy header", () -> Npz.readFloat(dict));
    assertFails(ok, "array 'W_enc' missing", () -> Npz.readFloat(ok, "W_enc"));
    Path notZip = tmp.resolve("not.npz");
    Files.writeString(notZip, "plain text");
    assertFails(notZip, "not a valid .npz", () -> Npz.readFloat(notZip));
  }
}
