package refusallens.eval.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Judge specs as the CLI's --judge and the service's configuration write them. */
class JudgeSpecTest {

  @Test
  void phrasesIsTheStandardMatcher() {
    JudgeSpec spec = JudgeSpec.parse(JudgeSpec.PHRASES, "--judge");
    assertEquals(RefusalPhraseJudge.standard().name(), spec.open().name());
    assertEquals(TaskJudge.standard().name(), JudgeSpec.parse(JudgeSpec.TASK, "--judge").open().name());
  }

  @Test
  void modelSpecsNeedAKnownPresetAndACheckpointDirectory(@TempDir Path dir) {
    JudgeSpec spec = JudgeSpec.parse("llama-guard-3=" + dir, "--judge");
    assertEquals(JudgePreset.LLAMA_GUARD_3, spec.preset());
    assertEquals(dir, spec.checkpoint());
    var noDir = assertThrows(IllegalArgumentException.class, () -> JudgeSpec.parse("harmbench=" + dir.resolve("x"), "k"));
    assertTrue(noDir.getMessage().startsWith("k: ") && noDir.getMessage().contains("not a checkpoint"), noDir.getMessage());
    var bad = assertThrows(IllegalArgumentException.class, () -> JudgeSpec.parse("vibes", "--judge"));
    assertTrue(bad.getMessage().contains("expected task, phrases"), bad.getMessage());
    var preset = assertThrows(IllegalArgumentException.class, () -> JudgeSpec.parse("gpt=" + dir, "--judge"));
    assertTrue(preset.getMessage().contains("harmbench or llama-guard-3"), preset.getMessage());
  }
}
