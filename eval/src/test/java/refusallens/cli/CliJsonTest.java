package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import refusallens.probes.train.ProbeKind;

/** Every command's --json: snake_case keys (records, maps, trees), lower-case enums, data keys as they are. */
class CliJsonTest {
  enum Wired {
    A;

    @JsonValue
    String wire() {
      return "wire-a";
    }
  }

  record Doc(int dIn, String hookName, ProbeKind kind, Wired wired, Map<String, Integer> counts) {}

  @Test
  void keysAreSnakeCaseAndEnumsLowerCase() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("blocks.2.hook_resid_post", 1);
    counts.put("L2F13", 2);
    counts.put("harmful_train.jsonl", 3);
    counts.put("duplicatesRemoved", 4);
    JsonNode t = CliJson.tree(new Doc(64, "blocks.2.hook_resid_post", ProbeKind.LOGISTIC, Wired.A, counts));
    assertEquals(64, t.get("d_in").asInt());
    assertEquals("blocks.2.hook_resid_post", t.get("hook_name").asText());
    assertEquals("logistic", t.get("kind").asText());
    assertEquals("wire-a", t.get("wired").asText());
    java.util.List<String> keys = new java.util.ArrayList<>();
    t.get("counts").fieldNames().forEachRemaining(keys::add);
    assertEquals(java.util.List.of("blocks.2.hook_resid_post", "L2F13", "harmful_train.jsonl", "duplicates_removed"), keys);
  }

  @Test
  void oneFormatPrettyPrinted() {
    assertEquals("{\n  \"schema_version\" : 1\n}", CliJson.text(Map.of("schemaVersion", 1)));
  }
}
