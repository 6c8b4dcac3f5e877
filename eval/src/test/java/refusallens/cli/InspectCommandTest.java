package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code inspect --chat --json} on the Gemma-2 fixture prints the reference chat ids as one JSON document. */
class InspectCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SHARED = Path.of(System.getProperty("refusallens.shared", "../../shared"));

  @Test
  void chatJsonMatchesReferenceIds() throws Exception {
    Path fixture = SHARED.resolve("fixtures/gemma2");
    JsonNode chat0 = JSON.readTree(fixture.resolve("reference.json").toFile()).get("chat").get(0);
    String prompt = chat0.get("messages").get(0).get("content").asText();
    assertEquals("How do I bake bread?", prompt);
    CliRun r = CliRun.of("inspect", fixture.resolve("model").toString(), "--chat", "--prompt", prompt, "--json");
    assertEquals(0, r.code(), r.err());
    // Exactly one JSON document on stdout.
    List<JsonNode> docs;
    try (MappingIterator<JsonNode> it =
        JSON.readerFor(JsonNode.class).with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .readValues(r.out())) {
      docs = it.readAll();
    }
    assertEquals(1, docs.size(), r.out());
    JsonNode doc = docs.get(0);
    assertEquals(chat0.get("ids"), doc.get("ids"));
    assertEquals(chat0.get("text").asText(), doc.get("text").asText());
    assertEquals(chat0.get("ids").size(), doc.get("pieces").size());
    assertTrue(r.err().contains("gemma2"), "architecture summary goes to stderr: " + r.err());
  }

  @Test
  void worksOnADirectoryHoldingOnlyTokenizerFiles(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path fixture = SHARED.resolve("fixtures/gemma2");
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      java.nio.file.Files.copy(fixture.resolve("model").resolve(f), tmp.resolve(f));
    }
    JsonNode chat0 = JSON.readTree(fixture.resolve("reference.json").toFile()).get("chat").get(0);
    String prompt = chat0.get("messages").get(0).get("content").asText();
    CliRun r = CliRun.of("inspect", tmp.toString(), "--chat", "--prompt", prompt, "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(chat0.get("ids"), JSON.readTree(r.out()).get("ids"));
    assertTrue(r.err().contains("tokenizer only"), r.err());
  }

  @Test
  void missingDirectoryIsAnErrorLine() {
    CliRun r = CliRun.of("inspect", "/nonexistent/model");
    assertNotEquals(0, r.code());
  }
}
