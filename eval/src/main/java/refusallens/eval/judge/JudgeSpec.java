package refusallens.eval.judge;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which judge to use, as written on the command line or in the classifier service's configuration: {@code
 * phrases} (the standard refusal-phrase matcher) or {@code PRESET=DIR} (a classifier checkpoint: {@code
 * harmbench=DIR}, {@code llama-guard-3=DIR}).
 *
 * @param preset null for the phrase matcher
 * @param checkpoint the classifier checkpoint directory; null for the phrase matcher
 */
public record JudgeSpec(JudgePreset preset, Path checkpoint) {
  /** The spec of the standard refusal-phrase matcher (the default everywhere). */
  public static final String PHRASES = "phrases";

  public JudgeSpec {
    if ((preset == null) != (checkpoint == null)) {
      throw new IllegalArgumentException("a model judge needs both a preset and a checkpoint directory");
    }
  }

  /** Parses {@code phrases} or {@code PRESET=DIR}; errors name {@code where} (a flag or configuration key). */
  public static JudgeSpec parse(String spec, String where) {
    if (spec.equals(PHRASES)) {
      return new JudgeSpec(null, null);
    }
    int eq = spec.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException(where + " '" + spec + "': expected phrases, harmbench=DIR or llama-guard-3=DIR");
    }
    Path dir = Path.of(spec.substring(eq + 1));
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(where + ": " + dir + " is not a checkpoint directory");
    }
    return new JudgeSpec(JudgePreset.parse(spec.substring(0, eq), where), dir);
  }

  /** The judge (a model judge loads its checkpoint). */
  public Judge open() {
    return preset == null ? RefusalPhraseJudge.standard() : ModelJudge.open(checkpoint, preset);
  }
}
