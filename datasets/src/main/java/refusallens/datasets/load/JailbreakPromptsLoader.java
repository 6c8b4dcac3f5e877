package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/**
 * Jailbreak prompt collections as given (verazuo/jailbreak_llms {@code jailbreak_prompts_*.csv}, the
 * Self-Reminder {@code jailbreak_prompts*.csv} and {@code attack_prompt*.json}): the {@code prompt} column
 * (or {@code --text-column}) of a CSV or JSON list, labelled harmful with attack {@code in-the-wild}. Many
 * are templates with a placeholder for the request; they are kept verbatim.
 */
public final class JailbreakPromptsLoader implements PromptLoader {
  /** The attack recorded on prompts collected from jailbreak communities. */
  public static final String ATTACK = "in-the-wild";

  @Override
  public LoadResult load(Path file, LoadOptions options) {
    boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    RowTable table = json ? JsonRows.readList(file) : CsvRows.read(file);
    String textColumn = options.textColumn() == null ? "prompt" : options.textColumn();
    table.requireColumns(textColumn);
    String stem = RowMapping.stem(file);
    String source = options.source() == null ? stem : options.source();
    Label label = options.label() == null ? Label.HARMFUL : options.label();
    return RowMapping.map(
        table,
        options,
        row ->
            new Prompt(
                stem + "/" + row.index(),
                row.require(textColumn),
                null,
                label,
                options.categoryColumn() == null ? null : row.optional(options.categoryColumn()),
                source,
                ATTACK,
                null,
                null),
        List::of);
  }
}
