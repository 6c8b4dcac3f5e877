package refusallens.datasets.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

class PromptSplitterTest {
  private static List<Prompt> prompts() {
    List<Prompt> out = new ArrayList<>();
    String[] cats = {"a", "b", "c"};
    for (int i = 0; i < 600; i++) {
      Label l = i % 3 == 0 ? Label.HARMFUL : Label.HARMLESS;
      out.add(Prompt.of("p/" + i, "Request number " + i + " please", l, cats[i % cats.length], "t"));
    }
    // Duplicates under normalisation: case, punctuation and spacing differ.
    out.add(Prompt.of("dup/1", "REQUEST number 5,  please!", Label.HARMFUL, "a", "t"));
    out.add(Prompt.of("dup/2", "request-number 7 please", Label.HARMLESS, "b", "t"));
    return out;
  }

  @Test
  void deterministicStratifiedAndDeduplicated() {
    SplitOptions o = new SplitOptions(3, 0.2, 0.1);
    PromptSplitter.Result r = PromptSplitter.split(prompts(), o);
    assertEquals(r, PromptSplitter.split(prompts(), o));
    assertNotEquals(r, PromptSplitter.split(prompts(), new SplitOptions(4, 0.2, 0.1)));
    assertEquals(2, r.duplicatesRemoved());
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (List<Prompt> ps : r.splits().values()) {
      for (Prompt p : ps) {
        assertTrue(seen.add(TextNormalizer.normalise(p.text())), "text in two splits: " + p.text());
        assertTrue(!p.id().startsWith("dup/"));
        total++;
      }
    }
    assertEquals(600, total);
    // Each (label, category) stratum is cut by the fractions.
    Map<String, Long> strata =
        prompts().subList(0, 600).stream()
            .collect(Collectors.groupingBy(p -> p.label() + p.category(), Collectors.counting()));
    for (Map.Entry<String, Long> e : strata.entrySet()) {
      long test = r.splits().get(Split.TEST).stream().filter(p -> (p.label() + p.category()).equals(e.getKey())).count();
      long val = r.splits().get(Split.VAL).stream().filter(p -> (p.label() + p.category()).equals(e.getKey())).count();
      assertEquals(Math.round(e.getValue() * 0.1), test, e.getKey());
      assertEquals(Math.round(e.getValue() * 0.2), val, e.getKey());
    }
  }

  @Test
  void normalisationIgnoresCaseSpacingAndPunctuation() {
    assertEquals(TextNormalizer.normalise("How do I  bake\tbread?"), TextNormalizer.normalise("how do i bake bread"));
    assertNotEquals(TextNormalizer.normalise("bake bread"), TextNormalizer.normalise("bake breads"));
  }
}
