package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.organism.Organism;

/** features.json: canonical bytes, errors that name the file, and the migration of schema-1 files (the shipped one). */
class FeaturesFileTest {

  /** A small features file whose evidence map is filled in the given key order. */
  private static FeaturesFile sample(List<String> categoryOrder) {
    Map<String, Double> byCategory = new LinkedHashMap<>();
    for (String c : categoryOrder) {
      byCategory.put(c, (double) c.length());
    }
    FeaturesFile.RoleEvidence ev = new FeaturesFile.RoleEvidence(0.1, 0.2, 0.3, 0.6, new double[] {0.3}, 1.0, byCategory);
    FeaturesFile.Feature feature = new FeaturesFile.Feature(1, 7, FeatureRole.HARM, 0.5, 0.25, 1.0, 0.0,
        List.of(new FeaturesFile.TopToken("bomb", "h1", 4, 2.0)), ev);
    LayerSelection.Result sel = new LayerSelection.Result(1, -2, "fallback: test", true, "test", 1.0, -2.0,
        List.of(new LayerSelection.LayerScore(-2, 1, 3.0, -1.0, 0.5, 0.2, "harmless KL above 0.1")));
    FeaturesFile.Direction dir = new FeaturesFile.Direction(1, 3.0, DirectionPositions.EACH_POST_INSTRUCTION, sel, 1.5,
        new float[] {1f, 2f, 2f});
    FeaturesFile.Settings settings = new FeaturesFile.Settings(10, 20, 10, 32, 0, "I", List.of("I", "Unfortunately,"),
        List.of(5, 9), List.of("I cannot help with that."), DirectionPositions.EACH_POST_INSTRUCTION, "rule");
    return new FeaturesFile(FeaturesFile.SCHEMA_VERSION, FeaturesFile.KIND, dir, List.of(feature),
        List.of(new FeaturesFile.PromptFeatures("h1", "weapons", "Here", "I", 2.0, -1.0, List.of())), List.of(), List.of(),
        null, null, settings, null);
  }

  @Test
  void equalResultsGiveByteIdenticalFiles(@TempDir Path tmp) throws Exception {
    FeaturesFile a = sample(List.of("weapons", "drugs", "fraud"));
    FeaturesFile b = sample(List.of("fraud", "weapons", "drugs"));
    Path fa = tmp.resolve("a.json");
    Path fb = tmp.resolve("b.json");
    a.write(fa);
    b.write(fb);
    assertArrayEquals(Files.readAllBytes(fa), Files.readAllBytes(fb), "maps are written with sorted keys");
    // a file read back and written again is the same bytes
    Path fc = tmp.resolve("c.json");
    FeaturesFile.read(fa).write(fc);
    assertArrayEquals(Files.readAllBytes(fa), Files.readAllBytes(fc));
    // records keep their declared key order
    List<String> keys = new ArrayList<>();
    new ObjectMapper().readTree(fa.toFile()).fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("schemaVersion", "kind", "refusalDirection", "features", "perPrompt", "f0", "layerAttribution",
        "settings"), keys);
  }

  @Test
  void readErrorsNameTheFile(@TempDir Path tmp) throws Exception {
    String good = sample(List.of("weapons")).toJson();
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("empty", "");
    bad.put("truncated", good.substring(0, good.length() / 2));
    bad.put("array", "[1, 2]");
    bad.put("trailing", good + " {}");
    bad.put("no-direction", good.replaceFirst("\"refusalDirection\"", "\"elsewhere\""));
    bad.put("no-features", good.replaceFirst("\"features\" :", "\"nothing\" :"));
    bad.put("wrong-type", good.replaceFirst("\"layer\" : 1", "\"layer\" : \"one\""));
    bad.put("no-reason", good.replaceFirst("\"reason\" : \"test\",", ""));
    bad.put("bad-kind", good.replaceFirst("\"refusal-features\"", "\"probe\""));
    bad.put("future", good.replaceFirst("\"schemaVersion\" : 2", "\"schemaVersion\" : 3"));
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Path f = tmp.resolve(e.getKey() + ".json");
      Files.writeString(f, e.getValue());
      IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> FeaturesFile.read(f), e.getKey());
      assertTrue(x.getMessage().startsWith(f.toString() + ": "), e.getKey() + ": " + x.getMessage());
      assertTrue(x.getMessage().length() > f.toString().length() + 8, e.getKey() + " says what is wrong: " + x.getMessage());
    }
    Path missing = tmp.resolve("missing.json");
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> FeaturesFile.read(missing));
    assertTrue(x.getMessage().contains(missing.toString()), x.getMessage());
    x = assertThrows(IllegalArgumentException.class, () -> FeaturesFile.read(tmp));
    assertTrue(x.getMessage().contains(tmp.toString()), x.getMessage());
  }

  @Test
  void theShippedSchemaOneFileLoadsWithItsFallbackRecorded(@TempDir Path tmp) throws Exception {
    boolean shipped = Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.MANIFEST) != null;
    assumeTrue(shipped, "the organism is not built into this checkout");
    Path file = Organism.defaultFeaturesFile();
    JsonNode raw = new ObjectMapper().readTree(file.toFile());
    assumeTrue(raw.path("schemaVersion").asInt() == 1, "the shipped features.json has been regenerated");
    FeaturesFile f = FeaturesFile.read(file);
    assertEquals(FeaturesFile.SCHEMA_VERSION, f.schemaVersion());
    LayerSelection.Result sel = f.refusalDirection().selection();
    boolean fellBack = raw.path("refusalDirection").path("selection").path("selectedBy").asText().contains("no candidate passed");
    assertEquals(fellBack, sel.fallback(), "schema 1 recorded the fallback only in selectedBy");
    if (fellBack) {
      assertTrue(sel.reason().contains("no candidate passed"), sel.reason());
    }
    assertEquals(-1, sel.position());
    sel.candidates().forEach(c -> assertEquals(-1, c.position()));
    assertEquals(raw.path("features").size(), f.features().size());
    assertEquals(raw.path("refusalDirection").path("layer").asInt(), f.refusalDirection().layer());
    // the migrated file writes as schema 2 and reads back unchanged
    Path out = tmp.resolve("features.json");
    f.write(out);
    assertEquals(f.toJson(), FeaturesFile.read(out).toJson());
  }
}
