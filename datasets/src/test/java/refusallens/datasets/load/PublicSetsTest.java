package refusallens.datasets.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.SharedData;
import refusallens.datasets.split.TextNormalizer;

/** The organism's public training, selection and held-out sets read from the shared public files. */
class PublicSetsTest {
  static PublicSets.Training training;

  @BeforeAll
  static void load() {
    training = PublicSets.training(SharedData.dir());
  }

  @Test
  void noHeldOutOrSelectionPromptIsInTheTrainingData() {
    Set<String> trained = new HashSet<>();
    training.prompts().forEach(p -> trained.add(TextNormalizer.normalise(p.userText())));
    // each reserved set read afresh through its own loader, not through training()
    for (PublicSets.PublicSet s : PublicSets.ALL) {
      if (s.role() == PublicSets.Role.TRAIN) {
        continue;
      }
      List<Prompt> ps = s.load(SharedData.dir());
      assertFalse(ps.isEmpty(), s.name());
      for (Prompt p : ps) {
        assertFalse(trained.contains(TextNormalizer.normalise(p.userText())),
            "held-out " + s.name() + " prompt in training: " + p.userText());
      }
    }
  }

  @Test
  void overlapsBetweenPublicSetsAreDroppedNotIgnored() {
    // AdvBench shares behaviours with HarmBench / JBB: some of its goals are held out and must be dropped
    int advOverlap = training.heldOutOverlaps().get("advbench");
    int advRows = PublicSets.named("advbench").load(SharedData.dir()).size();
    assertTrue(advOverlap > 0, "expected AdvBench goals shared with held-out sets");
    long kept = training.prompts().stream().filter(p -> p.source().equals("advbench")).count();
    assertEquals(advRows, kept + advOverlap + training.duplicates().get("advbench"));
    Set<String> keys = new HashSet<>();
    for (Prompt p : training.prompts()) {
      assertTrue(keys.add(TextNormalizer.normalise(p.userText())), "duplicate training prompt " + p.userText());
    }
  }

  @Test
  void bothLabelsAndAdvBenchTargetsAreThere() {
    assertFalse(training.of(Label.HARMFUL).isEmpty());
    assertFalse(training.of(Label.HARMLESS).isEmpty());
    for (Prompt p : training.prompts()) {
      if (p.source().equals("advbench")) {
        String t = training.target(p);
        assertNotNull(t, p.userText());
        assertTrue(t.startsWith("Sure"), t);
      }
    }
    Map<String, List<Prompt>> held = PublicSets.load(SharedData.dir(), PublicSets.Role.HELD_OUT);
    assertTrue(held.get("harmless_test").stream().allMatch(p -> p.label() == Label.HARMLESS));
    assertTrue(held.get("jbb_gcg").stream().allMatch(p -> p.label() == Label.HARMFUL));
    assertTrue(held.get("harmbench_standard").stream().allMatch(p -> p.source().equals("harmbench_standard")));
  }

  @Test
  void aMissingFileIsNamed() {
    DatasetFileException e = org.junit.jupiter.api.Assertions.assertThrows(DatasetFileException.class,
        () -> PublicSets.named("tdc2023").load(Path.of("no-such-dir")));
    assertTrue(e.getMessage().contains("tdc2023.json"), e.getMessage());
  }
}
