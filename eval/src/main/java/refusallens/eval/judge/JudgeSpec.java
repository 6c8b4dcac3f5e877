package refusallens.eval.judge;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which judge to use, as written on the command line or in the classifier service's configuration: {@code
 * task} (refusal phrases, and compliance checked against the request's known task: the default), {@code
 * phrases} (the refusal-phrase matcher alone) or {@code PRESET=DIR} (a classifier checkpoint: {@code
 * harmbench=DIR}, {@code llama-guard-3=DIR}).
 *
 * @param builtin the built-in judge; null for a model judge
 * @param preset null for a built-in judge
 * @param checkpoint the classifier checkpoint directory; null for a built-in judge
 */
public record JudgeSpec(Builtin builtin, JudgePreset preset, Path checkpoint) {
  /** The spec of the task judge (the default everywhere). */
  public static final String TASK = "task";

  /** The spec of the standard refusal-phrase matcher. */
  public static final String PHRASES = "phrases";

  /** The judges that need no checkpoint. */
  public enum Builtin {
    TASK,
    PHRASES
  }

  public JudgeSpec {
    if ((preset == null) != (checkpoint == null) || (builtin == null) == (preset == null)) {
      throw new IllegalArgumentException("a judge is built in, or a model judge with a preset and a checkpoint directory");
    }
  }

  /** Parses {@code task}, {@code phrases} or {@code PRESET=DIR}; errors name {@code where} (a flag or configuration key). */
  public static JudgeSpec parse(String spec, String where) {
    if (spec.equals(TASK)) {
      return new JudgeSpec(Builtin.TASK, null, null);
    }
    if (spec.equals(PHRASES)) {
      return new JudgeSpec(Builtin.PHRASES, null, null);
    }
    int eq = spec.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException(where + " '" + spec
          + "': expected task, phrases, harmbench=DIR or llama-guard-3=DIR");
    }
    Path dir = Path.of(spec.substring(eq + 1));
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(where + ": " + dir + " is not a checkpoint directory");
    }
    return new JudgeSpec(null, JudgePreset.parse(spec.substring(0, eq), where), dir);
  }

  /** The judge (a model judge loads its checkpoint). */
  public Judge open() {
    if (builtin != null) {
      return builtin == Builtin.TASK ? TaskJudge.standard() : RefusalPhraseJudge.standard();
    }
    return ModelJudge.open(checkpoint, preset);
  }
}
