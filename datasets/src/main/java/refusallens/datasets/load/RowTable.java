package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import refusallens.datasets.DatasetFileException;

/**
 * The records of one file and its column names (a CSV header; for JSON, null: fields are per element).
 *
 * @param file where the rows come from
 * @param columns header names as written, or null when the source has no header
 * @param rows the data records in file order
 */
public record RowTable(Path file, List<String> columns, List<Row> rows) {

  /** Fails naming the file if a header lacks one of {@code required} (compared case-insensitively). */
  public void requireColumns(String... required) {
    if (columns == null) {
      return;
    }
    for (String c : required) {
      if (!hasColumn(c)) {
        throw new DatasetFileException(
            file, "header (line 1)", "missing column '" + c + "' (columns found: " + columns + ")");
      }
    }
  }

  /** Whether the header has {@code column} (case-insensitive); true for header-less sources. */
  public boolean hasColumn(String column) {
    if (columns == null) {
      return true;
    }
    String want = column.toLowerCase(Locale.ROOT);
    return columns.stream().anyMatch(c -> c.trim().toLowerCase(Locale.ROOT).equals(want));
  }
}
