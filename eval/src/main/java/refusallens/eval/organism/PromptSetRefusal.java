package refusallens.eval.organism;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import refusallens.chat.ChatMessage;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.Seeds;
import refusallens.eval.judge.Outcomes;
import refusallens.core.model.Hooks;
import refusallens.progress.Progress;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The refusal evaluation of named prompt sets: per set, the shares refused / complied / degenerate with n and
 * 95 % Wilson intervals ({@link Outcomes}), measured with one {@link RefusalEvaluation} (any model, any judge).
 */
public final class PromptSetRefusal {
  private PromptSetRefusal() {}

  /**
   * One set's figures.
   *
   * @param label harmful, harmless or mixed (the set's prompts' labels)
   * @param available prompts in the set
   * @param skippedTooLong sampled prompts left out because their chat tokens exceed the prompt-length cap
   * @param outcomes the judged shares over the prompts evaluated
   * @param examples the first few judged completions
   */
  @JsonPropertyOrder({"label", "available", "skipped_too_long", "outcomes", "examples"})
  public record SetResult(
      String label, int available, @JsonProperty("skipped_too_long") int skippedTooLong, Outcomes outcomes,
      List<Map<String, String>> examples) {}

  /**
   * Groups prompts into sets: every prompt in {@code setName} when given, else by its {@code source}
   * (sorted by name).
   */
  public static Map<String, List<Prompt>> sets(List<Prompt> prompts, String setName) {
    Map<String, List<Prompt>> out = new TreeMap<>();
    for (Prompt p : prompts) {
      out.computeIfAbsent(setName != null ? setName : p.source(), k -> new ArrayList<>()).add(p);
    }
    return out;
  }

  /**
   * At most {@code n} of {@code prompts}: all when they are fewer, else a sample drawn with {@code seed} (kept in
   * file order), so a limited run does not measure only a set's first rows.
   */
  public static List<Prompt> sample(List<Prompt> prompts, int n, long seed, String set) {
    if (prompts.size() <= n) {
      return prompts;
    }
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      idx.add(i);
    }
    Random r = Seeds.random(seed, "refusal-eval", set);
    Collections.shuffle(idx, r);
    List<Integer> keep = new ArrayList<>(idx.subList(0, n));
    Collections.sort(keep);
    return keep.stream().map(prompts::get).toList();
  }

  /**
   * Completes and judges every set (at most {@code limit} prompts each, sampled with {@code seed}); sampled prompts
   * whose chat tokens exceed {@code maxPromptTokens}, or leave no room for the new tokens within the model's
   * positions, are counted, not run.
   */
  public static Map<String, SetResult> evaluate(RefusalEvaluation eval, Tokenizer tokenizer,
      Map<String, List<Prompt>> sets, int limit, int maxPromptTokens, long seed, Progress progress) {
    Map<String, SetResult> out = new LinkedHashMap<>();
    int longest = Math.min(maxPromptTokens, eval.maxPromptTokens());
    for (Map.Entry<String, List<Prompt>> e : sets.entrySet()) {
      List<Prompt> run = new ArrayList<>();
      int tooLong = 0;
      for (Prompt p : sample(e.getValue(), limit, seed, e.getKey())) {
        if (tokenizer.encodeChat(List.of(ChatMessage.user(p.userText())), true).length > longest) {
          tooLong++;
        } else {
          run.add(p);
        }
      }
      List<RefusalEvaluation.Judged> judged = eval.run(run, Hooks.none(), progress, e.getKey());
      List<Map<String, String>> examples = new ArrayList<>();
      for (RefusalEvaluation.Judged j : judged.subList(0, Math.min(3, judged.size()))) {
        Map<String, String> ex = new LinkedHashMap<>();
        ex.put("prompt", j.prompt().userText());
        ex.put("completion", j.completion());
        ex.put("verdict", j.verdict().outcome().wireName());
        ex.put("reason", j.verdict().reason());
        examples.add(ex);
      }
      out.put(e.getKey(), new SetResult(label(e.getValue()), e.getValue().size(), tooLong,
          RefusalEvaluation.outcomes(judged), examples));
    }
    return out;
  }

  private static String label(List<Prompt> ps) {
    boolean harmful = ps.stream().anyMatch(p -> p.label() == Label.HARMFUL);
    boolean harmless = ps.stream().anyMatch(p -> p.label() == Label.HARMLESS);
    return harmful && harmless ? "mixed" : harmful ? Label.HARMFUL.wireName() : Label.HARMLESS.wireName();
  }
}
