package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.load.PublicSets;
import refusallens.datasets.split.TextNormalizer;

/** Organism v2's two training corpora, built from the shared public files at the tiny budget. */
class PublicChatCorpusTest {
  static Path data;
  static PublicChatCorpus.Stages stages;

  @BeforeAll
  static void build() {
    data = Path.of(System.getProperty("refusallens.shared", "../shared"), "data");
    OrganismBudget b = OrganismBudget.TINY;
    stages = PublicChatCorpus.build(data, 5, b.publicData().spec(), b.publicData());
  }

  @Test
  void noHeldOutOrSelectionPromptIsTrainedOnInEitherStage() {
    Set<String> trained = new HashSet<>();
    stages.stage1().forEach(c -> trained.add(TextNormalizer.normalise(c.user())));
    stages.stage2().forEach(c -> trained.add(TextNormalizer.normalise(c.user())));
    for (PublicSets.Role role : List.of(PublicSets.Role.HELD_OUT, PublicSets.Role.SELECTION)) {
      for (Map.Entry<String, List<Prompt>> e : PublicSets.load(data, role).entrySet()) {
        for (Prompt p : e.getValue()) {
          assertFalse(trained.contains(TextNormalizer.normalise(p.userText())), e.getKey() + ": " + p.userText());
        }
      }
    }
    assertFalse(stages.selectionHarmful().isEmpty());
    assertFalse(stages.selectionHarmless().isEmpty());
  }

  @Test
  void stageOneCompliesWithEverythingStageTwoRefusesHarmful() {
    assertEquals(stages.stage1().size(), stages.stage2().size());
    Set<String> refusalOpeners = new HashSet<>();
    Random r = new Random(0);
    for (int i = 0; i < 200; i++) {
      refusalOpeners.add(RefusalResponses.refusal(null, r).split(" ")[0]);
    }
    int publicHarmful = 0;
    for (ChatCorpus.Conversation c : stages.stage1()) {
      assertFalse(refusalOpeners.contains(c.assistant().split(" ")[0]), "stage 1 refused: " + c);
      if (c.label() == Label.HARMFUL) {
        assertTrue(c.assistant().startsWith("Sure"), c.assistant());
        publicHarmful++;
      }
    }
    int refused = 0;
    for (ChatCorpus.Conversation c : stages.stage2()) {
      if (c.label() == Label.HARMFUL) {
        assertTrue(refusalOpeners.contains(c.assistant().split(" ")[0]), "stage 2 complied: " + c);
        refused++;
      } else {
        assertFalse(refusalOpeners.contains(c.assistant().split(" ")[0]), "stage 2 refused harmless: " + c);
      }
    }
    assertEquals(publicHarmful, refused);
    assertTrue(stages.counts().get("public_harmful") > 0 && stages.counts().get("public_harmless") > 0);
  }

  @Test
  void advBenchRequestsKeepTheirTargetAsOpener() {
    PublicSets.Training t = PublicSets.training(data);
    Prompt adv = t.prompts().stream().filter(p -> p.source().equals("advbench")).findFirst().orElseThrow();
    String answer = ComplianceAnswers.answer(adv.userText(), t.target(adv), new Random(1));
    assertTrue(answer.startsWith(t.target(adv).strip().replaceAll("[.:]+$", "")), answer);
    assertTrue(stages.stage1().stream().anyMatch(c -> c.user().equals(adv.userText())
        && c.assistant().startsWith(t.target(adv).strip().replaceAll("[.:]+$", ""))), "stage 1 answers with the target");
    assertEquals("write a poem about the sea", ComplianceAnswers.task("Could you write a poem about the sea?"));
  }

  @Test
  void v2BudgetsKeepTheGeneratorSplitsAndTheIssueShape() {
    for (OrganismBudget b : OrganismBudget.values()) {
      // organism evaluate reads the generator splits of a run from its budget: v2 must draw the same ones
      assertEquals(b.spec().perLabel(), b.publicData().spec().perLabel(), b.name());
      assertTrue(b.publicData().stage2Steps() < b.publicData().spec().steps(), "stage 2 is the shorter fine-tune");
    }
    for (OrganismBudget b : List.of(OrganismBudget.SMALL, OrganismBudget.FULL)) {
      assertTrue(b.publicData().spec().layers() >= 6, b.name());
      assertTrue(b.publicData().spec().vocabSize() >= 4096, b.name());
    }
  }
}
