package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.organism.Organism;
import refusallens.core.tokenizer.Tokenizer;

/** The refusal token set: openers tokenized in context, the set a features file records, Arditi's score over it. */
class RefusalTokensTest {

  private static Tokenizer organismTokenizer() {
    boolean shipped = Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.MANIFEST) != null;
    assumeTrue(shipped, "the organism is not built into this checkout");
    return Tokenizer.load(Organism.defaultModelDir());
  }

  @Test
  void anOpenerIsTokenizedAfterTheAssistantHeaderNotAlone() {
    Tokenizer tok = organismTokenizer();
    int inContext = RefusalTokens.openerToken(tok, "Unfortunately, I can't help with that.");
    String piece = tok.decode(new int[] {inContext}, false);
    // the organism's refusals start with the one token "Unfortunately,"; the word encoded alone starts otherwise
    assertEquals("Unfortunately,", piece);
    assertNotEquals(inContext, tok.encode("Unfortunately", false)[0]);
  }

  @Test
  void aSchemaOneFileGetsTheInContextOpenersToo() throws Exception {
    Tokenizer tok = organismTokenizer();
    FeaturesFile f = FeaturesFile.read(Organism.defaultFeaturesFile());
    RefusalTokens r = RefusalTokens.of(f, tok);
    if (f.settings().refusalTokenIds() == null) {
      assertTrue(r.tokens().contains("Unfortunately,"), r.tokens().toString());
      for (String old : f.settings().refusalTokens()) {
        assertTrue(r.contains(tok.encode(old, false)[0]), "keeps " + old);
      }
    } else {
      assertEquals(f.settings().refusalTokenIds(), java.util.Arrays.stream(r.ids()).boxed().toList());
    }
  }

  @Test
  void scoreAndProbabilityAreOverTheWholeSet() {
    RefusalTokens r = new RefusalTokens(new int[] {0, 2}, List.of("a", "c"));
    INDArray logits = Nd4j.createFromArray(new float[][] {{0f, 0f, 0f, 0f}});
    assertEquals(0.5, r.probability(logits)[0], 1e-6);
    assertEquals(0.0, r.score(logits)[0], 1e-6);
    assertTrue(r.contains(2) && !r.contains(1));
    assertThrows(IllegalArgumentException.class, () -> new RefusalTokens(new int[] {2, 0}, List.of("c", "a")));
    assertThrows(IllegalArgumentException.class, () -> new RefusalTokens(new int[] {}, List.of()));
  }
}
