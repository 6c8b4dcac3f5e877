package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/**
 * JailbreakBench JBB-Behaviors CSV ({@code Index,Goal,Target,Behavior,Category,Source}, header matched
 * case-insensitively; the harmful copy has an unnamed index column). The label comes from the options or
 * from the file name ({@code benign}/{@code harmless} vs {@code harmful}).
 */
public final class JbbBehaviorsLoader implements PromptLoader {
  @Override
  public LoadResult load(Path file, LoadOptions options) {
    RowTable table = CsvRows.read(file);
    table.requireColumns("Goal", "Behavior", "Category");
    Label label = options.label() == null ? labelFromName(file) : options.label();
    String split = label == Label.HARMFUL ? "harmful" : "benign";
    String source = options.source() == null ? "jailbreakbench" : options.source();
    String indexColumn = table.hasColumn("index") ? "index" : table.hasColumn("") ? "" : null;
    return RowMapping.map(
        table,
        options,
        row -> {
          String index = indexColumn == null ? null : row.optional(indexColumn);
          String id = "jbb-" + split + "/" + (index == null ? String.valueOf(row.index()) : index.trim());
          return Prompt.of(id, row.require("Goal"), label, row.require("Category"), source);
        },
        List::of);
  }

  static Label labelFromName(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.contains("benign") || n.contains("harmless")) {
      return Label.HARMLESS;
    }
    if (n.contains("harmful")) {
      return Label.HARMFUL;
    }
    throw new DatasetFileException(
        file, null, "cannot tell harmful from benign by the file name; pass --label harmful|harmless");
  }
}
