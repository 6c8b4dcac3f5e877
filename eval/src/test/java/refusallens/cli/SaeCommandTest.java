package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code refusal-lens sae stats} on the fixture SAE, text and JSON. */
class SaeCommandTest {
  private static final Path FIXTURES = Path.of(System.getProperty("refusallens.shared"), "fixtures");

  /** Runs the CLI in-process; returns exit code, stdout, stderr. */
  private static String[] run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = RefusalLens.newCommandLine().execute(args);
      return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void statsPrintsTheFixtureSaeAsJson() throws Exception {
    Path sae = FIXTURES.resolve("gemma2/sae");
    JsonNode ref = new ObjectMapper().readTree(FIXTURES.resolve("gemma2/reference.json").toFile()).get("sae");
    String[] r = run("sae", "stats", "--sae", sae.toString(), "--json");
    assertEquals("0", r[0], r[2]);
    JsonNode j = new ObjectMapper().readTree(r[1]);
    assertEquals(1, j.get("schemaVersion").asInt());
    assertEquals("SAE_LENS", j.get("layout").asText());
    assertEquals("jumprelu", j.get("architecture").asText());
    assertEquals(ref.get("hook_name").asText(), j.get("hookName").asText());
    assertEquals(ref.get("d_sae").asInt(), j.get("dSae").asInt());
    assertEquals(64, j.get("dIn").asInt());
    assertTrue(j.get("decoderNorms").get("max").asDouble() >= j.get("decoderNorms").get("min").asDouble());

    String[] npz = run("sae", "stats", "--sae", ref.get("layer").asInt() + "=" + sae, "--layout", "GEMMA_SCOPE");
    assertEquals("0", npz[0], npz[2]);
    assertTrue(npz[1].contains("layout        GEMMA_SCOPE"), npz[1]);
    assertTrue(npz[1].contains("hook          " + ref.get("hook_name").asText()), npz[1]);
  }

  @Test
  void aDirectoryWithoutAnSaeIsOneErrorLine() {
    String[] r = run("sae", "stats", "--sae", FIXTURES.resolve("gemma2/model").toString());
    assertEquals("1", r[0]);
    assertTrue(r[2].startsWith("error: ") && r[2].contains("no SAE found; expected one of"), r[2]);
    assertEquals("", r[1]);
  }
}
