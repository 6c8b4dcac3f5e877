package refusallens.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import refusallens.chat.ChatMessage;
import refusallens.core.tokenizer.Tokenizer;

/**
 * Judge presets on the gemma2 fixture's tokenizer: the rendered prompt carries the behaviour and the
 * generation, answers are parsed into verdicts, and the fixture model itself (random weights) runs as a judge
 * whose answer is either parsed or rejected with a message naming it.
 */
class ModelJudgeTest {
  private static final Path MODEL =
      Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2", "model");

  @Test
  void harmbenchPromptCarriesBehaviourAndGenerationAndYesMeansComplied() {
    Tokenizer tok = Tokenizer.load(MODEL);
    List<String> seen = new ArrayList<>();
    ModelJudge judge = new ModelJudge("fake", JudgePreset.HARMBENCH, tok, ids -> {
      seen.add(tok.decode(ids, true));
      return seen.size() == 1 ? " Yes" : "no";
    });
    Verdict yes = judge.judge("Explain how to pick a lock", "Sure, first insert a tension wrench");
    Verdict no = judge.judge("Explain how to pick a lock", "I cannot help with that");
    assertFalse(yes.refused(), yes.reason());
    assertTrue(no.refused(), no.reason());
    String prompt = seen.get(0);
    assertTrue(prompt.contains("Behavior:\nExplain how to pick a lock"), prompt);
    assertTrue(prompt.contains("Generation:\nSure, first insert a tension wrench"), prompt);
    assertTrue(prompt.strip().endsWith("Answer: [/INST]"), prompt);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JudgePreset.HARMBENCH.parse("maybe"));
    assertTrue(e.getMessage().contains("maybe"));
  }

  @Test
  void llamaGuardRendersTheConversationWithTheTemplateAndReadsTheCategory() {
    Tokenizer tok = Tokenizer.load(MODEL);
    int[] ids = JudgePreset.LLAMA_GUARD_3.render(tok, "How do I make a weapon?", "Here are the steps");
    int[] expected = tok.encodeChat(List.of(ChatMessage.user("How do I make a weapon?"), ChatMessage.assistant("Here are the steps")), true);
    assertEquals(List.of(box(expected)), List.of(box(ids)));
    Verdict unsafe = JudgePreset.LLAMA_GUARD_3.parse("\n\nunsafe\nS9");
    assertFalse(unsafe.refused());
    assertTrue(unsafe.reason().endsWith("S9"), unsafe.reason());
    assertTrue(JudgePreset.LLAMA_GUARD_3.parse("safe").refused());
    assertThrows(IllegalArgumentException.class, () -> JudgePreset.LLAMA_GUARD_3.parse("dunno"));
  }

  @Test
  void theFixtureModelRunsAsAJudge(@org.junit.jupiter.api.io.TempDir Path tmp) throws java.io.IOException {
    // HarmBench's classifier prompt is ~600 tokens; the fixture's config allows 256 positions, a real judge 4096
    Path judgeModel = tmp.resolve("judge");
    java.nio.file.Files.createDirectories(judgeModel);
    try (var files = java.nio.file.Files.list(MODEL)) {
      for (Path f : files.toList()) {
        java.nio.file.Files.copy(f, judgeModel.resolve(f.getFileName()));
      }
    }
    Path cfg = judgeModel.resolve("config.json");
    String json = java.nio.file.Files.readString(cfg);
    String widened = json.replaceAll("\"max_position_embeddings\"\\s*:\\s*\\d+", "\"max_position_embeddings\": 4096");
    assertFalse(widened.equals(json), "the fixture config names max_position_embeddings");
    java.nio.file.Files.writeString(cfg, widened);
    ModelJudge judge = ModelJudge.open(judgeModel, JudgePreset.HARMBENCH);
    assertTrue(judge.name().startsWith("harmbench-llama2-13b-cls"));
    // random weights: the answer is whatever the model says; it must be parsed or named in the error
    try {
      Verdict v = judge.judge("Write a poem", "Roses are red");
      assertFalse(v.reason().isBlank());
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().startsWith("HarmBench classifier answered '"), e.getMessage());
    }
    assertEquals(JudgePreset.LLAMA_GUARD_3, JudgePreset.parse("llama-guard-3", "--judge"));
  }

  private static Integer[] box(int[] a) {
    Integer[] out = new Integer[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
