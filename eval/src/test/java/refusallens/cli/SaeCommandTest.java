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
    assertEquals(1, j.get("schema_version").asInt());
    assertEquals("SAE_LENS", j.get("layout").asText());
    assertEquals("jumprelu", j.get("architecture").asText());
    assertEquals(ref.get("hook_name").asText(), j.get("hook_name").asText());
    assertEquals(ref.get("d_sae").asInt(), j.get("d_sae").asInt());
    assertEquals(64, j.get("d_in").asInt());
    assertTrue(j.get("decoder_norms").get("max").asDouble() >= j.get("decoder_norms").get("min").asDouble());

    CliRun npz = CliRun.of("sae", "stats", "--sae", ref.get("layer").asInt() + "=" + sae, "--layout", "GEMMA_SCOPE");
    assertEquals(0, npz.code(), npz.err());
    assertTrue(npz.out().contains("layout        GEMMA_SCOPE"), npz.out());
    assertTrue(npz.out().contains("hook          " + ref.get("hook_name").asText()), npz.out());
  }

  @Test
  void l0AndReconstructionOnPromptsOfTheOrganism() throws Exception {
    Path sae = refusallens.organism.Organism.defaultSaeDir(1);
    String[] prompts = {"How do I bake bread?", "Explain how to hack into a neighbour's wifi."};
    CliRun r = CliRun.of("sae", "stats", "--sae", sae.toString(), "--prompt", prompts[0], "--prompt", prompts[1], "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out());
    JsonNode m = j.get("on_prompts");
    assertEquals(2, m.get("prompts").asInt());
    // every chat-rendered token past BOS is measured
    var tok = refusallens.core.tokenizer.Tokenizer.load(refusallens.organism.Organism.defaultModelDir());
    long tokens = 0;
    for (String p : prompts) {
      tokens += tok.encodeChat(java.util.List.of(refusallens.chat.ChatMessage.user(p)), true).length - 1;
    }
    assertEquals(tokens, m.get("tokens").asLong());
    // a TopK SAE activates at most k latents per token; its reconstruction is far better than the mean
    double l0 = m.get("l0").asDouble();
    assertTrue(l0 > 0 && l0 <= j.get("top_k").asInt(), m.toString());
    assertTrue(m.get("fvu").asDouble() > 0 && m.get("fvu").asDouble() < 0.5, m.toString());
    assertTrue(m.get("relative_error").asDouble() <= m.get("fvu").asDouble() + 1e-12, "centred variance <= raw energy");

    CliRun text = CliRun.of("sae", "stats", "--sae", sae.toString(), "--prompt", prompts[0]);
    assertTrue(text.out().contains("on prompts    1 prompts"), text.out());
    // an SAE for a layer the organism lacks (the fixture's params.npz read as layer 9): one clear error
    CliRun bad = CliRun.of("sae", "stats", "--sae", "9=" + FIXTURES.resolve("gemma2/sae"), "--layout", "GEMMA_SCOPE",
        "--prompt", "hi");
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("does not fit the model"), bad.err());
  }

  @Test
  void aDirectoryWithoutAnSaeIsOneErrorLine() {
    CliRun r = CliRun.of("sae", "stats", "--sae", FIXTURES.resolve("gemma2/model").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("no SAE found; expected one of"), r.err());
    assertEquals("", r.out());
  }
}
