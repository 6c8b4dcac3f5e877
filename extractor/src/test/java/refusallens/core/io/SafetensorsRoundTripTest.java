package refusallens.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The writer's files read back exactly; BF16 rounding and F16 widening match independent computations. */
class SafetensorsRoundTripTest {
  @TempDir Path tmp;

  @Test
  void writerRoundTripsAllTypesAndMetadata() throws IOException {
    Random rnd = new Random(7);
    float[] f = new float[3 * 5 * 7];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) rnd.nextGaussian() * 100;
    }
    INDArray f32 = Nd4j.create(f, new long[] {3, 5, 7}, 'c');
    INDArray i64 = Nd4j.createFromArray(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 1L << 40});
    INDArray i32 = Nd4j.createFromArray(new int[][] {{Integer.MIN_VALUE, 5}, {-7, Integer.MAX_VALUE}});
    INDArray scalar = Nd4j.scalar(2.5f);
    INDArray view = f32.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)); // a strided view [5, 7]
    Path out = tmp.resolve("sub/acts.safetensors");
    new SafetensorsWriter()
        .putI32("ints", i32)
        .putF32("x", f32)
        .putBf16("xb", f32)
        .putI64("ids", i64)
        .putF32("s", scalar)
        .putF32("view", view)
        .putF32("empty", Nd4j.create(DataType.FLOAT, 0, 4))
        .metadata("schemaVersion", "1")
        .metadata("note", "ünïcode")
        .write(out);
    try (var dir = Files.list(out.getParent())) {
      assertEquals(List.of(out), dir.toList(), "no temp file left behind");
    }
    long headerLen = ByteBuffer.wrap(Files.readAllBytes(out), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLen % 8, "header padded to 8 bytes");
    String header = new String(Files.readAllBytes(out), 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(new ObjectMapper().readTree(header.trim()).isObject());
    try (SafetensorsFile r = SafetensorsFile.open(out)) {
      assertEquals(Map.of("schemaVersion", "1", "note", "ünïcode"), r.metadata());
      assertEquals(f32, r.getFloat("x", 3, 5, 7));
      assertEquals(DType.BF16, r.info("xb").dtype());
      INDArray xb = r.getFloat("xb");
      for (int i = 0; i < f.length; i++) {
        assertBf16Rounded(f[i], xb.data().getFloat(i));
      }
      INDArray ids = r.get("ids");
      assertEquals(DataType.LONG, ids.dataType());
      assertArrayEquals(i64.toLongVector(), ids.toLongVector());
      INDArray ints = r.get("ints");
      assertEquals(DataType.INT, ints.dataType());
      assertEquals(i32, ints);
      assertEquals(0, r.info("s").shape().length);
      assertEquals(2.5f, r.getFloat("s").getFloat(0), 0f);
      assertEquals(view, r.getFloat("view", 5, 7));
      assertArrayEquals(new long[] {0, 4}, r.getFloat("empty").shape());
      // Widest types first (alignment), insertion order within a width.
      assertEquals(List.of("ids", "ints", "x", "s", "view", "empty", "xb"), List.copyOf(r.names()));
    }
    // Rewriting replaces the file atomically.
    new SafetensorsWriter().putF32("y", scalar).write(out);
    try (SafetensorsFile r = SafetensorsFile.open(out)) {
      assertEquals(List.of("y"), List.copyOf(r.names()));
    }
  }

  /** bf16(x) must be one of the two bf16 neighbours of x, the nearer one (ties to even). */
  private static void assertBf16Rounded(float x, float got) {
    int bits = Float.floatToRawIntBits(got);
    assertEquals(0, bits & 0xffff, "bf16 value has low bits");
    int xb = Float.floatToRawIntBits(x);
    float down = Float.intBitsToFloat(xb & 0xffff0000);
    float up = Float.intBitsToFloat((xb & 0xffff0000) + 0x10000);
    double dDown = Math.abs((double) x - down);
    double dUp = Math.abs((double) up - x);
    float want = dDown < dUp ? down : dUp < dDown ? up : (((xb >>> 16) & 1) == 0 ? down : up);
    assertEquals(want, got, 0f, "bf16 of " + x);
  }

  @Test
  void bf16OfRepresentableValuesIsExactAndSpecialsSurvive() {
    float[] exact = {0f, -0f, 1f, -2f, 1.5f, 0.15625f, 3.0f * (1 << 20), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    Path out = tmp.resolve("b.safetensors");
    new SafetensorsWriter()
        .putBf16("a", Nd4j.createFromArray(exact))
        .putBf16("nan", Nd4j.createFromArray(Float.NaN))
        .putBf16("rnd", Nd4j.createFromArray(1.00390625f /* 1 + 2^-8: a tie */, 1.01171875f /* tie, rounds up */))
        .write(out);
    try (SafetensorsFile r = SafetensorsFile.open(out)) {
      assertArrayEquals(exact, r.getFloat("a").toFloatVector(), 0f);
      assertTrue(Float.isNaN(r.getFloat("nan").getFloat(0)));
      assertArrayEquals(new float[] {1f, 1.015625f}, r.getFloat("rnd").toFloatVector(), 0f);
    }
  }

  @Test
  void f16WidensEveryValueClassCorrectly() throws IOException {
    short[] halves = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, (short) 0x8000, 0x7C00, (short) 0xFC00, 0x3555};
    double[] want = {
      1, -2, 65504, Math.scalb(1.0, -24), Math.scalb(1023.0, -24), Math.scalb(1.0, -14), -0.0,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.333251953125
    };
    Path p = tmp.resolve("h.safetensors");
    String header =
        "{\"h\":{\"dtype\":\"F16\",\"shape\":[" + halves.length + "],\"data_offsets\":[0," + 2 * halves.length
            + "]},\"n\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[" + 2 * halves.length + "," + (2 * halves.length + 2) + "]}}";
    ByteBuffer data = ByteBuffer.allocate(2 * halves.length + 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short h : halves) {
      data.putShort(h);
    }
    data.putShort((short) 0x7E00); // NaN
    MalformedFilesTest.writeRaw(p, header, data.array());
    try (SafetensorsFile r = SafetensorsFile.open(p)) {
      float[] got = r.getFloat("h").toFloatVector();
      for (int i = 0; i < want.length; i++) {
        assertEquals((float) want[i], got[i], 0f, "half 0x" + Integer.toHexString(halves[i] & 0xffff));
      }
      assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(got[6]));
      assertTrue(Float.isNaN(r.getFloat("n").getFloat(0)));
    }
    // Every normal half: (1024 + mant) * 2^(exp - 25), computed independently.
    for (int bits = 0; bits < 0x10000; bits++) {
      int exp = (bits >>> 10) & 0x1f;
      if (exp == 0 || exp == 0x1f) {
        continue;
      }
      double v = Math.scalb((double) (1024 + (bits & 0x3ff)), exp - 25) * ((bits & 0x8000) != 0 ? -1 : 1);
      assertEquals((float) v, HalfFloats.halfToFloat((short) bits), 0f);
    }
  }

  @Test
  void shardedCheckpointResolvesTensorsAcrossShards() throws IOException {
    INDArray a = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
    INDArray b = Nd4j.createFromArray(5f, 6f, 7f);
    new SafetensorsWriter().putF32("model.a", a).write(tmp.resolve("model-00001-of-00002.safetensors"));
    new SafetensorsWriter().putBf16("model.b", b).metadata("format", "pt").write(tmp.resolve("model-00002-of-00002.safetensors"));
    Files.writeString(
        tmp.resolve(SafetensorsCheckpoint.INDEX_FILE),
        "{\"metadata\":{\"total_size\":20},\"weight_map\":{\"model.a\":\"model-00001-of-00002.safetensors\","
            + "\"model.b\":\"model-00002-of-00002.safetensors\"}}");
    try (SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(tmp)) {
      assertEquals(List.of("model.a", "model.b"), List.copyOf(ck.names()));
      assertEquals(2, ck.shards().size());
      assertEquals(a, ck.getFloat("model.a", 2, 2));
      assertEquals(b, ck.getFloat("model.b", 3));
      assertEquals(tmp.resolve("model-00002-of-00002.safetensors"), ck.fileOf("model.b"));
      assertEquals("pt", ck.metadata().get("format"));
      assertFalse(ck.contains("model.c"));
    }
  }
}
