package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-finite numbers never become results: a scale that overflows float32 is refused before any model work,
 * and a checkpoint with a NaN weight fails with an {@code error:} line naming the hook point, exit 1.
 */
class NonFiniteCliTest {
  private static final Path SHARED = Path.of(System.getProperty("refusallens.shared", "../../shared"));

  @TempDir Path tmp;

  @Test
  void evalClampRefusesAScaleThatOverflowsFloat32() {
    for (String scale : new String[] {"1e300", "-3e38"}) {
      CliRun r = CliRun.of("eval", "clamp", "--model", tmp.resolve("no-model").toString(),
          "--features", tmp.resolve("no-features.json").toString(), "--scale", scale, "--out", tmp.resolve("o").toString());
      assertEquals(1, r.code(), r.err());
      assertTrue(r.err().startsWith("error: '--scale' is ") && r.err().contains("|--scale| <= 1.0E12"), r.err());
    }
    CliRun v = CliRun.of("eval", "clamp", "--model", tmp.resolve("no-model").toString(),
        "--features", tmp.resolve("no-features.json").toString(), "--induce", "value:-3e38", "--out", tmp.resolve("o").toString());
    assertEquals(1, v.code(), v.err());
    assertTrue(v.err().startsWith("error: '--induce' is -3.0E38"), v.err());
    assertFalse(Files.exists(tmp.resolve("o")), "nothing is written");
  }

  @Test
  void aCheckpointWithNanWeightsFailsNamingTheHookPoint() throws IOException {
    Path model = tmp.resolve("nan-model");
    Files.createDirectories(model);
    try (Stream<Path> files = Files.list(SHARED.resolve("fixtures/gemma2/model"))) {
      for (Path f : files.toList()) {
        Files.copy(f, model.resolve(f.getFileName()));
      }
    }
    poison(model.resolve("model.safetensors"), "model.layers.1.mlp.down_proj.weight");
    CliRun r = CliRun.of("run-with-cache", model.toString(), "--ids", "2,106,164,235", "--out",
        tmp.resolve("acts.safetensors").toString());
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().startsWith("error: NaN in blocks.") && r.err().contains("check the checkpoint weights"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  /** Writes a bfloat16 NaN (0x7FC0) over the first element of {@code tensor} in a safetensors file. */
  static void poison(Path file, String tensor) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(len, 0);
      int n = (int) len.getLong(0);
      ByteBuffer header = ByteBuffer.allocate(n);
      ch.read(header, 8);
      JsonNode entry = new ObjectMapper().readTree(new String(header.array(), java.nio.charset.StandardCharsets.UTF_8)).get(tensor);
      assertEquals("BF16", entry.get("dtype").asText());
      long start = 8 + n + entry.get("data_offsets").get(0).asLong();
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xC0, (byte) 0x7F}), start);
    }
  }
}
