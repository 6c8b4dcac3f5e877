package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/**
 * HarmBench behaviours CSV ({@code Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,
 * BehaviorID}). Keeps the {@code standard} functional category unless told otherwise; a contextual
 * behaviour's text is its context string, a {@code ---} rule, then the behaviour (HarmBench's own layout).
 * Rows of other functional categories are counted in a note.
 */
public final class HarmBenchLoader implements PromptLoader {
  @Override
  public LoadResult load(Path file, LoadOptions options) {
    RowTable table = CsvRows.read(file);
    table.requireColumns("Behavior", "FunctionalCategory", "SemanticCategory", "BehaviorID");
    String source = options.source() == null ? "harmbench" : options.source();
    Label label = options.label() == null ? Label.HARMFUL : options.label();
    Map<String, Integer> excluded = new TreeMap<>();
    return RowMapping.map(
        table,
        options,
        row -> {
          String functional = row.require("FunctionalCategory").trim();
          if (!options.harmbenchFunctionalCategories().contains(functional)) {
            excluded.merge(functional, 1, Integer::sum);
            return null;
          }
          String behavior = row.require("Behavior");
          String context = row.optional("ContextString");
          String text =
              "contextual".equals(functional) && context != null
                  ? context + "\n\n---\n\n" + behavior
                  : behavior;
          return Prompt.of(
              row.require("BehaviorID"), text, label, row.optional("SemanticCategory"), source);
        },
        () ->
            excluded.isEmpty()
                ? List.of()
                : List.of(
                    file
                        + ": left out "
                        + excluded.values().stream().mapToInt(Integer::intValue).sum()
                        + " behaviour(s) by functional category "
                        + excluded
                        + " (keep them with --harmbench-category)"));
  }
}
