package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/**
 * Alpaca instructions as harmless prompts: {@code alpaca_data.json} (list of {@code {instruction, input,
 * output}}: the text is the instruction, then the input after a blank line when non-empty; the output is
 * the reference response) or the instructions-only {@code processed/alpaca.json} of refusal_direction
 * (list of {@code {instruction, category}}).
 */
public final class AlpacaLoader implements PromptLoader {
  @Override
  public LoadResult load(Path file, LoadOptions options) {
    RowTable table = JsonRows.readList(file);
    String source = options.source() == null ? "alpaca" : options.source();
    Label label = options.label() == null ? Label.HARMLESS : options.label();
    return RowMapping.map(
        table,
        options,
        row -> {
          String instruction = row.require("instruction");
          String input = row.optional("input");
          String text = input == null ? instruction : instruction + "\n\n" + input;
          return new Prompt(
              "alpaca/" + row.index(),
              text,
              null,
              label,
              row.optional("category"),
              source,
              null,
              null,
              row.optional("output"));
        },
        List::of);
  }
}
