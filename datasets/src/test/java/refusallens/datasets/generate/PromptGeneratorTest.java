package refusallens.datasets.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.split.Split;
import refusallens.datasets.split.TextNormalizer;

class PromptGeneratorTest {
  private static final GeneratorOptions OPTIONS = GeneratorOptions.defaults(11);

  @Test
  void deterministicBySeed() {
    PromptGenerator.Generated a = PromptGenerator.generate(OPTIONS);
    PromptGenerator.Generated b = PromptGenerator.generate(OPTIONS);
    assertEquals(a, b);
    PromptGenerator.Generated c = PromptGenerator.generate(GeneratorOptions.defaults(12));
    assertNotEquals(a.get(Split.TRAIN, Label.HARMFUL), c.get(Split.TRAIN, Label.HARMFUL));
  }

  @Test
  void thousandsOfDistinctPromptsOverEveryCategoryBalanced() {
    PromptGenerator.Generated g = PromptGenerator.generate(OPTIONS);
    Map<Split, Integer> sizes = PromptGenerator.splitSizes(OPTIONS);
    Set<String> texts = new HashSet<>();
    int total = 0;
    for (Split s : Split.values()) {
      for (Label l : Label.values()) {
        List<Prompt> ps = g.get(s, l);
        assertEquals(sizes.get(s), ps.size(), s + " " + l);
        Map<String, Long> byCat =
            ps.stream().collect(Collectors.groupingBy(Prompt::category, Collectors.counting()));
        assertEquals(HarmCategory.values().length, byCat.size(), "every category in " + s + " " + l);
        long min = byCat.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = byCat.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(max - min <= 1, "balanced categories " + byCat);
        for (Prompt p : ps) {
          texts.add(TextNormalizer.normalise(p.text()));
          assertTrue(p.label() == l);
          if (l == Label.HARMLESS) {
            assertNotNull(p.response(), "harmless prompts carry a reference answer");
            assertFalse(p.response().contains("{"), p.response());
          } else {
            assertNull(p.response());
          }
        }
        total += ps.size();
      }
    }
    assertTrue(total >= 4000, "thousands of prompts: " + total);
    assertEquals(total, texts.size(), "no normalised text twice");
    assertTrue(HarmCategory.values().length >= 8);
  }

  @Test
  void testPromptsNeverShareATemplateWithTrainingPrompts() {
    PromptGenerator.Generated g = PromptGenerator.generate(OPTIONS);
    for (Split s : Split.values()) {
      for (Label l : Label.values()) {
        for (Prompt p : g.get(s, l)) {
          List<RequestFrames.Frame> frames = RequestFrames.matching(p.text());
          assertFalse(frames.isEmpty(), "no frame produces " + p.text());
          for (RequestFrames.Frame f : frames) {
            assertEquals(s, f.split(), p.text() + " also matches " + f.id() + " of " + f.split());
          }
        }
      }
    }
    Set<String> train = new HashSet<>();
    RequestFrames.of(Split.TRAIN).forEach(f -> train.add(f.template()));
    for (Split s : List.of(Split.VAL, Split.TEST)) {
      for (RequestFrames.Frame f : RequestFrames.of(s)) {
        assertFalse(train.contains(f.template()), f.id());
      }
    }
  }

  @Test
  void harmfulAndHarmlessPairsDifferOnlyInTheTask() {
    PromptGenerator.Generated g = PromptGenerator.generate(OPTIONS);
    List<Prompt> harmful = g.get(Split.TRAIN, Label.HARMFUL);
    List<Prompt> harmless = g.get(Split.TRAIN, Label.HARMLESS);
    for (int i = 0; i < harmful.size(); i++) {
      Prompt h = harmful.get(i);
      Prompt b = harmless.get(i);
      assertEquals(h.id().replace("/harmful", ""), b.id().replace("/harmless", ""));
      assertEquals(h.category(), b.category());
      String task = findTask(h);
      String other = findTask(b);
      assertEquals(h.text().replace(task, "{task}"), b.text().replace(other, "{task}"), h.text() + " | " + b.text());
      assertTrue(TopicLexicon.harmful(HarmCategory.valueOf(h.category().toUpperCase().replace('-', '_')))
          .contains(task));
      assertTrue(b.response().contains(other), "the answer addresses the request: " + b.response());
    }
  }

  private static String findTask(Prompt p) {
    List<String> tasks = new ArrayList<>();
    for (HarmCategory c : HarmCategory.values()) {
      tasks.addAll(TopicLexicon.harmful(c));
      TopicLexicon.harmless(c).forEach(t -> tasks.add(t.task()));
    }
    return tasks.stream()
        .filter(p.text()::contains)
        .max((x, y) -> Integer.compare(x.length(), y.length()))
        .orElseThrow(() -> new AssertionError("no task in " + p.text()));
  }

  @Test
  void askingForMoreThanTheTemplatesAllowFails() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PromptGenerator.generate(new GeneratorOptions(1, 1_000_000, 0.15, 0.15, 0)));
    assertTrue(e.getMessage().contains("--n"), e.getMessage());
  }

  @Test
  void instructionsAreDistinctHarmlessAndAnswered() {
    Set<String> seen = new HashSet<>();
    List<Prompt> a = InstructionGenerator.generate(5, 400, seen);
    assertEquals(400, a.size());
    assertEquals(400, seen.size());
    assertEquals(a, InstructionGenerator.generate(5, 400, new HashSet<>()));
    assertTrue(a.stream().allMatch(p -> p.label() == Label.HARMLESS && p.response() != null));
    for (Prompt p : a) {
      if (p.text().matches("What is \\d+ plus \\d+\\?")) {
        String[] n = p.text().replaceAll("[^0-9 ]", "").trim().split("\\s+");
        int sum = Integer.parseInt(n[0]) + Integer.parseInt(n[1]);
        assertTrue(p.response().endsWith(" is " + sum + "."), p.response());
      }
    }
  }
}
