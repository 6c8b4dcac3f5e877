package refusallens.eval.judge;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import refusallens.lens.Lens;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.tokenizer.Tokenizer;

/**
 * A classifier model as judge: any checkpoint the runtime loads, asked with a {@link JudgePreset}'s prompt;
 * the verdict is parsed from its first greedy tokens (an instance of the behaviour: complied; else refused). Empty
 * or repetitive completions are degenerate before the classifier is asked; the CE part of {@link Degeneracy}
 * is applied where the completion's tokens are known.
 */
public final class ModelJudge implements Judge {
  /** Greedy tokens read from the judge (enough for "unsafe\nS10"). */
  public static final int ANSWER_TOKENS = 6;

  private final String name;
  private final JudgePreset preset;
  private final Tokenizer tokenizer;
  private final Function<int[], String> answer;

  /** A judge whose answers come from {@code answer} (prompt ids -> generated text). */
  public ModelJudge(String name, JudgePreset preset, Tokenizer tokenizer, Function<int[], String> answer) {
    this.name = Objects.requireNonNull(name);
    this.preset = Objects.requireNonNull(preset);
    this.tokenizer = Objects.requireNonNull(tokenizer);
    this.answer = Objects.requireNonNull(answer);
  }

  /** The checkpoint in {@code dir} (with its tokenizer) under {@code preset}. */
  public static ModelJudge open(Path dir, JudgePreset preset) {
    Lens lens = Lens.open(dir);
    Transformer model = lens.model();
    Tokenizer tok = lens.tokenizer();
    GenerationOptions gen = GenerationOptions.greedy(model, ANSWER_TOKENS);
    return new ModelJudge(preset.wireName() + "(" + dir.getFileName() + ")", preset, tok,
        ids -> tok.decode(model.generateGreedy(TokenBatch.of(ids), gen, Hooks.none()).get(0), true));
  }

  public JudgePreset preset() {
    return preset;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verdict judge(String request, String completion) {
    String problem = Degeneracy.textProblem(completion);
    if (problem != null) {
      return Verdict.degenerate(problem); // the classifier is not asked about text that answers nothing
    }
    return preset.parse(answer.apply(preset.render(tokenizer, request, completion)));
  }
}
