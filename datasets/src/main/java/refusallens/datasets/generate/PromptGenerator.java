package refusallens.datasets.generate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.Seeds;
import refusallens.datasets.split.Split;
import refusallens.datasets.split.TextNormalizer;

/**
 * The built-in prompt generator: harmful requests over the {@link HarmCategory} list and harmless requests on
 * matched topics, built as matched pairs (same frame, prefix and suffix, a harmful vs a harmless task), with
 * each split drawn from its own frames ({@link RequestFrames}). Harmless prompts carry a reference answer.
 * Deterministic by seed; no text occurs twice (under {@link TextNormalizer}).
 */
public final class PromptGenerator {
  /** The {@code source} of generated prompts. */
  public static final String SOURCE = "builtin";

  /** Generated prompts by split and label. */
  public record Generated(Map<Split, List<Prompt>> harmful, Map<Split, List<Prompt>> harmless) {
    /** The prompts of one split and label. */
    public List<Prompt> get(Split split, Label label) {
      return (label == Label.HARMFUL ? harmful : harmless).get(split);
    }
  }

  private PromptGenerator() {}

  /** Number of prompts per label in each split for {@code options}. */
  public static Map<Split, Integer> splitSizes(GeneratorOptions options) {
    int test = (int) Math.round(options.perLabel() * options.testFraction());
    int val = (int) Math.round(options.perLabel() * options.valFraction());
    int n = HarmCategory.values().length;
    test = Math.max(test, n);
    val = Math.max(val, n);
    Map<Split, Integer> sizes = new EnumMap<>(Split.class);
    sizes.put(Split.TRAIN, options.perLabel() - val - test);
    sizes.put(Split.VAL, val);
    sizes.put(Split.TEST, test);
    return sizes;
  }

  /**
   * Generates the harmful and harmless prompts of every split.
   *
   * @param seen normalised texts already taken (updated); pass an empty set to start fresh
   */
  public static Generated generate(GeneratorOptions options, Set<String> seen) {
    Map<Split, List<Prompt>> harmful = new EnumMap<>(Split.class);
    Map<Split, List<Prompt>> harmless = new EnumMap<>(Split.class);
    Map<Split, Integer> sizes = splitSizes(options);
    HarmCategory[] cats = HarmCategory.values();
    for (Split split : Split.values()) {
      List<Prompt> h = new ArrayList<>();
      List<Prompt> b = new ArrayList<>();
      int size = sizes.get(split);
      for (int ci = 0; ci < cats.length; ci++) {
        int count = size / cats.length + (ci < size % cats.length ? 1 : 0);
        fill(options.seed(), split, cats[ci], count, seen, h, b);
      }
      // Interleave the categories (one seeded permutation for both labels keeps the pairs aligned).
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < h.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, Seeds.random(options.seed(), SOURCE, "order", split.wireName()));
      harmful.put(split, order.stream().map(h::get).toList());
      harmless.put(split, order.stream().map(b::get).toList());
    }
    return new Generated(harmful, harmless);
  }

  /** Generates with a fresh de-duplication set. */
  public static Generated generate(GeneratorOptions options) {
    return generate(options, new HashSet<>());
  }

  private static void fill(
      long seed,
      Split split,
      HarmCategory cat,
      int count,
      Set<String> seen,
      List<Prompt> harmfulOut,
      List<Prompt> harmlessOut) {
    List<RequestFrames.Frame> frames = RequestFrames.of(split);
    List<String> bad = TopicLexicon.harmful(cat);
    List<TopicLexicon.HarmlessTask> good = TopicLexicon.harmless(cat);
    List<int[]> combos = new ArrayList<>();
    for (int f = 0; f < frames.size(); f++) {
      for (int p = 0; p < RequestFrames.PREFIXES.size(); p++) {
        for (int s = 0; s < RequestFrames.SUFFIXES.size(); s++) {
          for (int t = 0; t < bad.size(); t++) {
            combos.add(new int[] {f, p, s, t});
          }
        }
      }
    }
    Random r = Seeds.random(seed, SOURCE, split.wireName(), cat.wireName());
    Collections.shuffle(combos, r);
    List<Integer> goodOrder = new ArrayList<>();
    for (int i = 0; i < good.size(); i++) {
      goodOrder.add(i);
    }
    Collections.shuffle(goodOrder, r);
    int next = 0;
    int made = 0;
    for (int[] c : combos) {
      if (made == count) {
        break;
      }
      RequestFrames.Frame frame = frames.get(c[0]);
      String prefix = RequestFrames.PREFIXES.get(c[1]);
      String suffix = RequestFrames.SUFFIXES.get(c[2]);
      String harmfulText = RequestFrames.render(frame, prefix, suffix, bad.get(c[3]));
      String harmfulKey = TextNormalizer.normalise(harmfulText);
      if (seen.contains(harmfulKey)) {
        continue;
      }
      // The matched harmless request: same frame and wording around it, the next unused harmless task.
      TopicLexicon.HarmlessTask task = null;
      String harmlessText = null;
      for (int k = 0; k < good.size() && task == null; k++) {
        TopicLexicon.HarmlessTask candidate = good.get(goodOrder.get((next + k) % good.size()));
        String text = RequestFrames.render(frame, prefix, suffix, candidate.task());
        if (!seen.contains(TextNormalizer.normalise(text))) {
          task = candidate;
          harmlessText = text;
          next = (next + k + 1) % good.size();
        }
      }
      if (task == null) {
        continue;
      }
      seen.add(harmfulKey);
      seen.add(TextNormalizer.normalise(harmlessText));
      String base = SOURCE + "/" + split.wireName() + "/" + cat.wireName() + "/" + String.format("%04d", made);
      harmfulOut.add(Prompt.of(base + "/harmful", harmfulText, Label.HARMFUL, cat.wireName(), SOURCE));
      String id = base + "/harmless";
      String answer = ResponseTemplates.answer(task, Seeds.random(seed, "response", id));
      harmlessOut.add(
          Prompt.of(id, harmlessText, Label.HARMLESS, cat.wireName(), SOURCE).withResponse(answer));
      made++;
    }
    if (made < count) {
      throw new IllegalArgumentException(
          "--n is more than the generator can make: the "
              + split.wireName()
              + " split of category "
              + cat.wireName()
              + " has only "
              + made
              + " distinct requests, "
              + count
              + " asked");
    }
  }
}
