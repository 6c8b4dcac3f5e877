package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/**
 * Any CSV, JSON list or JSONL file with a text column and either a label column or a fixed label; a
 * {@code category} column (or {@code --category-column}) and an {@code id} column are used when present.
 */
public final class GenericLoader implements PromptLoader {
  /** The container a generic file uses. */
  public enum Container {
    CSV,
    JSON,
    JSONL
  }

  private final Container container;

  public GenericLoader(Container container) {
    this.container = container;
  }

  @Override
  public LoadResult load(Path file, LoadOptions options) {
    if (options.labelColumn() == null && options.label() == null) {
      throw new IllegalArgumentException(
          "reading " + file + " as generic " + container.name().toLowerCase()
              + ": pass --label-column COLUMN or a fixed --label harmful|harmless");
    }
    RowTable table =
        switch (container) {
          case CSV -> CsvRows.read(file);
          case JSON -> JsonRows.readList(file);
          case JSONL -> JsonRows.readLines(file);
        };
    String textColumn = options.textColumn() == null ? "text" : options.textColumn();
    table.requireColumns(textColumn);
    if (options.labelColumn() != null) {
      table.requireColumns(options.labelColumn());
    }
    if (options.categoryColumn() != null) {
      table.requireColumns(options.categoryColumn());
    }
    String categoryColumn = options.categoryColumn() == null ? "category" : options.categoryColumn();
    String stem = RowMapping.stem(file);
    String source = options.source() == null ? stem : options.source();
    return RowMapping.map(
        table,
        options,
        row -> {
          Label label =
              options.label() != null ? options.label() : Label.parse(row.require(options.labelColumn()));
          String id = row.optional("id");
          return Prompt.of(
              id == null ? stem + "/" + row.index() : id.trim(),
              row.require(textColumn),
              label,
              row.optional(categoryColumn),
              source);
        },
        List::of);
  }
}
