package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code refusal-lens sae stats} on the fixture SAE, text and JSON. */
class SaeCommandTest {
  private static final Path FIXTURES = Path.of(System.getProperty("refusallens.shared"), "fixtures");

  @Test
  void statsPrintsTheFixtureSaeAsJson() throws Exception {
    Path sae = FIXTURES.resolve("gemma2/sae");
    JsonNode ref = new ObjectMapper().readTree(FIXTURES.resolve("gemma2/reference.json").toFile()).get("sae");
    CliRun r = CliRun.of("sae", "stats", "--sae", sae.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertEquals(1, j.get("schemaVersion").asInt());
    assertEquals("SAE_LENS", j.get("layout").asText());
    assertEquals("jumprelu", j.get("architecture").asText());
    assertEquals(ref.get("hook_name").asText(), j.get("hookName").asText());
    assertEquals(ref.get("d_sae").asInt(), j.get("dSae").asInt());
    assertEquals(64, j.get("dIn").asInt());
    assertTrue(j.get("decoderNorms").get("max").asDouble() >= j.get("decoderNorms").get("min").asDouble());

    CliRun npz = CliRun.of("sae", "stats", "--sae", ref.get("layer").asInt() + "=" + sae, "--layout", "GEMMA_SCOPE");
    assertEquals(0, npz.code(), npz.err());
    assertTrue(npz.out().contains("layout        GEMMA_SCOPE"), npz.out());
    assertTrue(npz.out().contains("hook          " + ref.get("hook_name").asText()), npz.out());
  }

  @Test
  void aDirectoryWithoutAnSaeIsOneErrorLine() {
    CliRun r = CliRun.of("sae", "stats", "--sae", FIXTURES.resolve("gemma2/model").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("no SAE found; expected one of"), r.err());
    assertEquals("", r.out());
  }
}
