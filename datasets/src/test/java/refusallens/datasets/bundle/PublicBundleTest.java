package refusallens.datasets.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.SharedData;
import refusallens.datasets.load.PublicSets;
import refusallens.datasets.split.Split;
import refusallens.datasets.split.TextNormalizer;

/** The study's bundle of real public prompts: real splits, no leak from held-out sets, real attacks as OOD sets. */
class PublicBundleTest {

  @Test
  void publicLayoutIsRecognisedAndABundleIsNot(@TempDir Path tmp) {
    assertTrue(DatasetBundle.isPublicLayout(SharedData.dir()));
    assertFalse(DatasetBundle.isPublicLayout(tmp));
  }

  @Test
  void splitsComeFromTheirPublicSetsWithoutLeaks(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("bundle");
    BundleManifest m = DatasetBundle.fromPublic(SharedData.dir(), 3, 40, dir);
    assertEquals("public", m.generator());
    Set<String> train = new HashSet<>();
    for (Label l : Label.values()) {
      List<Prompt> tr = PromptJsonl.read(dir.resolve(DatasetBundle.fileName(l, Split.TRAIN)));
      assertEquals(28, tr.size(), "train " + l);
      tr.forEach(p -> {
        assertEquals(l, p.label());
        train.add(TextNormalizer.normalise(p.userText()));
      });
      List<Prompt> val = PromptJsonl.read(dir.resolve(DatasetBundle.fileName(l, Split.VAL)));
      List<Prompt> test = PromptJsonl.read(dir.resolve(DatasetBundle.fileName(l, Split.TEST)));
      assertEquals(6, val.size());
      assertEquals(6, test.size());
      val.forEach(p -> assertEquals(l.wireName() + "_val", p.source()));
      test.forEach(p -> assertEquals(l.wireName() + "_test", p.source()));
    }
    // no held-out or selection text is trained on
    for (PublicSets.PublicSet s : PublicSets.ALL) {
      if (s.role() != PublicSets.Role.TRAIN) {
        for (Prompt p : s.load(SharedData.dir())) {
          assertFalse(train.contains(TextNormalizer.normalise(p.userText())), s.name() + " leaked: " + p.userText());
        }
      }
    }
    // OOD: the generator's attacks on the test prompts, and the real JailbreakBench artifacts against JBB benign
    Map<String, Map<Label, Integer>> ood = new TreeMap<>();
    for (Prompt p : PromptJsonl.read(dir.resolve(DatasetBundle.OOD_FILE))) {
      ood.computeIfAbsent(p.attack(), k -> new TreeMap<>()).merge(p.label(), 1, Integer::sum);
    }
    for (String real : List.of("jbb", "jbb_pair", "jbb_gcg", "jbb_jbc")) {
      assertEquals(Map.of(Label.HARMFUL, 6, Label.HARMLESS, 6), ood.get(real), real);
      assertTrue(m.attacks().contains(real), real);
    }
    assertTrue(ood.size() > 4, "generator attacks missing: " + ood.keySet());
    // the same seed gives the same bytes
    Path again = tmp.resolve("again");
    DatasetBundle.fromPublic(SharedData.dir(), 3, 40, again);
    assertEquals(Files.readString(dir.resolve(DatasetBundle.OOD_FILE)), Files.readString(again.resolve(DatasetBundle.OOD_FILE)));
  }
}
