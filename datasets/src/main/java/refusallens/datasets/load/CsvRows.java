package refusallens.datasets.load;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import refusallens.datasets.DatasetFileException;

/**
 * Reads a CSV file with a header row (RFC 4180 via commons-csv: quoted fields may hold commas, quotes and
 * newlines). Column names match case-insensitively; a record whose field count differs from the header's is
 * kept as a defective row so the caller can fail or skip it with its record and line number.
 */
public final class CsvRows {
  private CsvRows() {}

  /** Reads {@code file}; an empty file or a broken quote is a {@link DatasetFileException}. */
  public static RowTable read(Path file) {
    String content = readText(file);
    if (content.isBlank()) {
      throw new DatasetFileException(file, null, "empty file: expected a CSV header and records");
    }
    int[] lineStarts = lineStarts(content);
    List<String> header = null;
    List<Row> rows = new ArrayList<>();
    CSVFormat format = CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(true).get();
    try (CSVParser parser = CSVParser.parse(new StringReader(content), format)) {
      var it = parser.iterator();
      while (true) {
        CSVRecord rec;
        try {
          if (!it.hasNext()) {
            break;
          }
          rec = it.next();
        } catch (UncheckedIOException | IllegalStateException e) {
          throw new DatasetFileException(
              file,
              "near line " + (parser.getCurrentLineNumber() + 1),
              "malformed CSV (" + e.getMessage() + "); the rest of the file cannot be read",
              e);
        }
        int line = lineOf(lineStarts, rec.getCharacterPosition());
        if (header == null) {
          header = Arrays.asList(rec.values());
          continue;
        }
        int index = rows.size();
        String where = "record " + (index + 1) + " (line " + line + ")";
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < Math.min(header.size(), rec.size()); i++) {
          values.putIfAbsent(header.get(i).trim().toLowerCase(Locale.ROOT), rec.get(i));
        }
        String defect =
            rec.size() == header.size()
                ? null
                : "has " + rec.size() + " fields, the header has " + header.size();
        rows.add(new Row(index, where, values, defect));
      }
    } catch (IOException e) {
      throw new DatasetFileException(file, null, "cannot read: " + e.getMessage(), e);
    }
    return new RowTable(file, header, rows);
  }

  static String readText(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFileException(file, null, "no such file");
    }
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8);
      return s.startsWith("\uFEFF") ? s.substring(1) : s;
    } catch (IOException e) {
      throw new DatasetFileException(file, null, "cannot read as UTF-8 text: " + e.getMessage(), e);
    }
  }

  private static int[] lineStarts(String s) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  /** 1-based line holding character {@code pos}. */
  private static int lineOf(int[] starts, long pos) {
    int i = Arrays.binarySearch(starts, (int) pos);
    return (i >= 0 ? i : -i - 2) + 1;
  }
}
