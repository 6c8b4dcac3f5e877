package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.Prompt;

/**
 * Turns rows into prompts with one policy for bad rows: fail naming file, record and line, or (with
 * {@code skipBadRows}) skip and count them in a warning.
 */
final class RowMapping {
  private RowMapping() {}

  /**
   * Maps every row; {@code mapper} returns null for a row left out on purpose (the caller counts and notes
   * those, reported by {@code notes}, which is asked after mapping) and throws {@link BadRowException} (or {@link IllegalArgumentException}) for a malformed one.
   */
  static LoadResult map(
      RowTable table,
      LoadOptions options,
      Function<Row, Prompt> mapper,
      Supplier<List<String>> notes) {
    Path file = table.file();
    List<Prompt> out = new ArrayList<>();
    int bad = 0;
    String firstBad = null;
    for (Row row : table.rows()) {
      String problem = row.defect();
      Prompt p = null;
      if (problem == null) {
        try {
          p = mapper.apply(row);
        } catch (BadRowException | IllegalArgumentException e) {
          problem = e.getMessage();
        }
      }
      if (problem != null) {
        if (!options.skipBadRows()) {
          throw new DatasetFileException(file, row.where(), problem + " (use --skip-bad-rows to skip)");
        }
        bad++;
        if (firstBad == null) {
          firstBad = row.where() + ": " + problem;
        }
        continue;
      }
      if (p != null) {
        out.add(p);
      }
    }
    List<String> allNotes = new ArrayList<>(notes.get());
    if (bad > 0) {
      allNotes.add(file + ": skipped " + bad + " malformed record(s); first: " + firstBad);
    }
    if (table.rows().isEmpty()) {
      throw new DatasetFileException(file, null, "no records: the file holds a header or an empty list only");
    }
    if (bad == table.rows().size()) {
      throw new DatasetFileException(
          file, null, "no prompts: all " + bad + " record(s) are malformed, first: " + firstBad);
    }
    return new LoadResult(out, bad, allNotes);
  }

  /** The file name without its extension. */
  static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
