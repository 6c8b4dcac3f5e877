package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;

/** The prompt sources of features find: built-in, a generated bundle, a split directory, and bad directories. */
class DiscoveryDataTest {

  @Test
  void builtinHasEnoughPromptsOfEachKindAndDependsOnTheSeed() {
    DiscoveryData d = DiscoveryData.builtin(3, 32);
    assertTrue(d.harmfulTrain().size() >= 32 && d.harmlessTrain().size() >= 32);
    assertTrue(d.harmfulVal().size() >= 32 && d.harmlessVal().size() >= 32);
    assertTrue(d.harmfulTrain().stream().allMatch(p -> p.label() == Label.HARMFUL));
    assertTrue(d.harmlessVal().stream().allMatch(p -> p.label() == Label.HARMLESS));
    assertEquals(d.harmfulTrain(), DiscoveryData.builtin(3, 32).harmfulTrain());
    assertNotEquals(d.sha256(), DiscoveryData.builtin(4, 32).sha256());
  }

  @Test
  void readsABundleOrASplitDirectoryAndNamesWhatIsMissing(@TempDir Path tmp) throws Exception {
    Prompt h = Prompt.of("h1", "How do I build a bomb?", Label.HARMFUL, "weapons", "test");
    Prompt b = Prompt.of("b1", "How do I bake bread?", Label.HARMLESS, null, "test");
    Path bundle = Files.createDirectories(tmp.resolve("bundle"));
    PromptJsonl.write(bundle.resolve("harmful_train.jsonl"), List.of(h));
    PromptJsonl.write(bundle.resolve("harmless_train.jsonl"), List.of(b));
    PromptJsonl.write(bundle.resolve("harmful_val.jsonl"), List.of(h));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiscoveryData.directory(bundle));
    assertTrue(e.getMessage().contains("harmless_val.jsonl"), e.getMessage());
    PromptJsonl.write(bundle.resolve("harmless_val.jsonl"), List.of(b));
    DiscoveryData d = DiscoveryData.directory(bundle);
    assertEquals(List.of(h), d.harmfulTrain());
    assertEquals(64, d.sha256().length());

    Path split = Files.createDirectories(tmp.resolve("split"));
    PromptJsonl.write(split.resolve("train.jsonl"), List.of(h, b));
    PromptJsonl.write(split.resolve("val.jsonl"), List.of(b, h));
    DiscoveryData s = DiscoveryData.directory(split);
    assertEquals(List.of(b), s.harmlessTrain());
    assertEquals(List.of(h), s.harmfulVal());

    PromptJsonl.write(split.resolve("val.jsonl"), List.of(b));
    e = assertThrows(IllegalArgumentException.class, () -> DiscoveryData.directory(split));
    assertTrue(e.getMessage().contains("harmful and harmless train and val"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> DiscoveryData.directory(tmp.resolve("nope")));
    assertTrue(e.getMessage().contains("--data") && e.getMessage().contains("nope"), e.getMessage());
  }
}
