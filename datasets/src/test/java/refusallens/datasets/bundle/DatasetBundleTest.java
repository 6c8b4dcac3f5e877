package refusallens.datasets.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.attack.Attacks;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.generate.RequestFrames;
import refusallens.datasets.split.Split;
import refusallens.datasets.split.SplitOptions;
import refusallens.datasets.split.TextNormalizer;

class DatasetBundleTest {
  @TempDir Path tmp;

  private static final GeneratorOptions SMALL = new GeneratorOptions(21, 800, 0.15, 0.15, 120);

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void makeIsByteForByteReproducible() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    DatasetBundle.make(SMALL, a);
    DatasetBundle.make(SMALL, b);
    assertEquals(listing(a), listing(b));
    assertEquals(9, listing(a).size(), "8 JSONL files and the manifest");
    for (String f : listing(a)) {
      assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
    }
    Path c = tmp.resolve("c");
    DatasetBundle.make(new GeneratorOptions(22, 800, 0.15, 0.15, 120), c);
    assertFalse(
        java.util.Arrays.equals(
            Files.readAllBytes(a.resolve("harmful_train.jsonl")), Files.readAllBytes(c.resolve("harmful_train.jsonl"))));
  }

  @Test
  void bundleKeepsSplitsApartAndOodToTestPrompts() throws IOException {
    Path dir = tmp.resolve("bundle");
    BundleManifest m = DatasetBundle.make(SMALL, dir);
    assertEquals(m, DatasetBundle.readManifest(dir.resolve(DatasetBundle.MANIFEST_FILE)));
    assertEquals(21, m.seed());
    Map<String, String> fileOfText = new HashMap<>();
    Set<String> testIds = new HashSet<>();
    for (String file : m.counts().keySet()) {
      List<Prompt> ps = PromptJsonl.read(dir.resolve(file));
      assertEquals(m.counts().get(file), ps.size(), file);
      for (Prompt p : ps) {
        String prev = fileOfText.put(TextNormalizer.normalise(p.text()), file);
        assertTrue(prev == null, "text in " + prev + " and " + file + ": " + p.text());
      }
      if (file.endsWith("_test.jsonl")) {
        ps.forEach(p -> testIds.add(p.id()));
      }
      if (file.endsWith("_train.jsonl")) {
        for (Prompt p : ps) {
          for (RequestFrames.Frame f : RequestFrames.matching(p.text())) {
            assertEquals(Split.TRAIN, f.split(), "a train prompt matches " + f.id() + ": " + p.text());
          }
        }
      }
    }
    List<Prompt> ood = PromptJsonl.read(dir.resolve(DatasetBundle.OOD_FILE));
    assertEquals(testIds.size() * Attacks.all().size(), ood.size());
    for (Prompt p : ood) {
      assertTrue(testIds.contains(p.baseId()), "OOD variant of a non-test prompt: " + p.id());
    }
    assertEquals(m.templates().get("test").size(), RequestFrames.of(Split.TEST).size());
    Set<String> trainTemplates = new HashSet<>(m.templates().get("train"));
    m.templates().get("test").forEach(t -> assertFalse(trainTemplates.contains(t)));
  }

  @Test
  void splitOfImportedPromptsWritesTrainValTestAndOod() throws IOException {
    List<Prompt> ps = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ps.add(Prompt.of("x/" + i, "request " + i, i % 2 == 0 ? Label.HARMFUL : Label.HARMLESS, null, "t"));
    }
    ps.add(Prompt.of("x/dup", "Request 3", Label.HARMLESS, null, "t"));
    Path dir = tmp.resolve("split");
    BundleManifest m =
        DatasetBundle.split(ps, new SplitOptions(1, 0.1, 0.2), List.of(Attacks.byName("base64")), dir, "in.jsonl");
    assertEquals(1, m.duplicatesRemoved());
    assertEquals(Map.of("train.jsonl", 70, "val.jsonl", 10, "test.jsonl", 20, "ood.jsonl", 20), m.counts());
    assertTrue(PromptJsonl.read(dir.resolve("ood.jsonl")).stream().allMatch(p -> "base64".equals(p.attack())));
    assertEquals(Map.of("harmful", 10, "harmless", 10), m.files().get(2).byLabel());
    assertTrue(m.files().stream().allMatch(f -> f.sha256().length() == 64));
    assertTrue(Files.readString(dir.resolve("manifest.json")).contains("\"schemaVersion\" : 1"));
  }
}
