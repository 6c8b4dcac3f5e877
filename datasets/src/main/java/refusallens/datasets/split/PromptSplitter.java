package refusallens.datasets.split;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import refusallens.datasets.Prompt;
import refusallens.datasets.Seeds;

/**
 * Deterministic train / validation / test splits: duplicates (same normalised text) are removed first so no
 * text can land in two splits, then each stratum (label x category) is shuffled by seed and cut by the
 * fractions.
 */
public final class PromptSplitter {
  /**
   * The splits and what de-duplication removed.
   *
   * @param splits prompts per split, strata in sorted order
   * @param duplicatesRemoved prompts dropped because an earlier prompt had the same normalised text
   */
  public record Result(Map<Split, List<Prompt>> splits, int duplicatesRemoved) {}

  private PromptSplitter() {}

  /** Removes later prompts whose normalised text an earlier one has; returns the survivors in order. */
  public static List<Prompt> deduplicate(List<Prompt> prompts) {
    Set<String> seen = new HashSet<>();
    List<Prompt> out = new ArrayList<>();
    for (Prompt p : prompts) {
      if (seen.add(TextNormalizer.normalise(p.userText()))) {
        out.add(p);
      }
    }
    return out;
  }

  /** Splits {@code prompts}. */
  public static Result split(List<Prompt> prompts, SplitOptions options) {
    List<Prompt> unique = deduplicate(prompts);
    Map<String, List<Prompt>> strata = new TreeMap<>();
    for (Prompt p : unique) {
      String key = p.label().wireName() + "|" + (p.category() == null ? "" : p.category());
      strata.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
    }
    Map<Split, List<Prompt>> out = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      out.put(s, new ArrayList<>());
    }
    for (Map.Entry<String, List<Prompt>> e : strata.entrySet()) {
      List<Prompt> group = new ArrayList<>(e.getValue());
      Collections.shuffle(group, Seeds.random(options.seed(), "split", e.getKey()));
      int n = group.size();
      int test = (int) Math.round(n * options.testFraction());
      int val = (int) Math.min(n - test, Math.round(n * options.valFraction()));
      out.get(Split.TEST).addAll(group.subList(0, test));
      out.get(Split.VAL).addAll(group.subList(test, test + val));
      out.get(Split.TRAIN).addAll(group.subList(test + val, n));
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return new Result(out, prompts.size() - unique.size());
  }
}
