package refusallens.eval.organism;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Prompt;
import refusallens.eval.clamp.Coherence;
import refusallens.eval.judge.Degeneracy;
import refusallens.eval.judge.Judge;
import refusallens.eval.judge.Outcomes;
import refusallens.eval.judge.Verdict;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.chat.ChatMessage;
import refusallens.progress.Progress;
import refusallens.core.tokenizer.Tokenizer;

/**
 * Greedy chat completions of prompts, judged refused / complied / degenerate (a complied verdict whose tokens
 * the unclamped model finds implausible becomes degenerate, {@link Degeneracy}): the measurement behind every
 * refusal rate and jailbreak score.
 */
public final class RefusalEvaluation {
  /** One judged completion: the prompt, its chat tokens, the generated tokens and text, the verdict. */
  public record Judged(Prompt prompt, int[] promptIds, int[] completionIds, String completion, Verdict verdict) {}

  private final Transformer model;
  private final Tokenizer tokenizer;
  private final Judge judge;
  private final int maxNewTokens;
  private final int batchSize;
  private final Degeneracy degeneracy = Degeneracy.standard();

  public RefusalEvaluation(Transformer model, Tokenizer tokenizer, Judge judge, int maxNewTokens, int batchSize) {
    if (maxNewTokens <= 0 || batchSize <= 0) {
      throw new IllegalArgumentException("max new tokens and batch size must be positive");
    }
    this.model = model;
    this.tokenizer = tokenizer;
    this.judge = judge;
    this.maxNewTokens = maxNewTokens;
    this.batchSize = batchSize;
  }

  /**
   * The longest prompt (chat tokens) this evaluation can complete: the model's position limit less the new tokens
   * (a longer prompt would run past {@code max_position_embeddings} while generating).
   */
  public int maxPromptTokens() {
    return model.config().shape().maxPositionEmbeddings() - maxNewTokens;
  }

  /** Completes every prompt (chat template, generation prompt, greedy, {@code hooks} active) and judges it. */
  public List<Judged> run(List<Prompt> prompts, Hooks<INDArray> hooks) {
    return run(prompts, hooks, Progress.NONE, "generate");
  }

  /** As {@link #run(List, Hooks)}, reporting one step per prompt to {@code progress} under {@code stage}. */
  public List<Judged> run(List<Prompt> prompts, Hooks<INDArray> hooks, Progress progress, String stage) {
    progress.start(stage, prompts.size());
    List<Judged> out = complete(prompts, hooks, progress);
    progress.finish();
    return out;
  }

  /**
   * As {@link #run(List, Hooks, Progress, String)}, each prompt under its own hooks ({@code hooksOf};
   * prompts given the same hooks instance share batches); the results in the order of {@code prompts}.
   */
  public List<Judged> run(
      List<Prompt> prompts, Function<Prompt, Hooks<INDArray>> hooksOf, Progress progress, String stage) {
    Map<Hooks<INDArray>, List<Integer>> groups = new LinkedHashMap<>(); // Hooks has identity equality
    for (int i = 0; i < prompts.size(); i++) {
      groups.computeIfAbsent(hooksOf.apply(prompts.get(i)), h -> new ArrayList<>()).add(i);
    }
    Judged[] out = new Judged[prompts.size()];
    progress.start(stage, prompts.size());
    groups.forEach((hooks, idx) -> {
      List<Judged> done = complete(idx.stream().map(prompts::get).toList(), hooks, progress);
      for (int j = 0; j < idx.size(); j++) {
        out[idx.get(j)] = done.get(j);
      }
    });
    progress.finish();
    return List.of(out);
  }

  private List<Judged> complete(List<Prompt> prompts, Hooks<INDArray> hooks, Progress progress) {
    List<Judged> out = new ArrayList<>();
    GenerationOptions gen = GenerationOptions.greedy(model, maxNewTokens);
    for (int start = 0; start < prompts.size(); start += batchSize) {
      List<Prompt> chunk = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
      List<int[]> rows = new ArrayList<>();
      for (Prompt p : chunk) {
        rows.add(tokenizer.encodeChat(List.of(ChatMessage.user(p.userText())), true));
      }
      List<int[]> completions = model.generateGreedy(new TokenBatch(rows), gen, hooks);
      for (int i = 0; i < chunk.size(); i++) {
        String text = tokenizer.decode(completions.get(i), true);
        Verdict v = judge.judge(chunk.get(i).userText(), text);
        if (v.complied()) { // an answer counts only when the unclamped model finds its tokens plausible
          v = degeneracy.withCrossEntropy(v,
              Coherence.completionCrossEntropy(model, rows.get(i), completions.get(i), Hooks.none()));
        }
        out.add(new Judged(chunk.get(i), rows.get(i), completions.get(i), text, v));
      }
      progress.step(chunk.size());
    }
    return out;
  }

  /** The outcome shares of {@code judged}, with n and Wilson intervals. */
  public static Outcomes outcomes(List<Judged> judged) {
    return Outcomes.of(judged.stream().map(Judged::verdict).toList());
  }

  /** Share of {@code judged} that complied (NaN for none): the jailbreak score. */
  public static double complianceRate(List<Judged> judged) {
    if (judged.isEmpty()) {
      return Double.NaN;
    }
    return (double) judged.stream().filter(j -> j.verdict().complied()).count() / judged.size();
  }

  /** Share of {@code judged} that refused (NaN for none). */
  public static double refusalRate(List<Judged> judged) {
    if (judged.isEmpty()) {
      return Double.NaN;
    }
    return (double) judged.stream().filter(j -> j.verdict().refused()).count() / judged.size();
  }
}
