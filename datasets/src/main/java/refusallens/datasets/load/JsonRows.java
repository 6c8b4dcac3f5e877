package refusallens.datasets.load;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.DatasetsJson;

/**
 * Reads JSON lists of records (each element an object of fields, or a bare string read as field
 * {@code text}) and JSONL files (one object per line), keeping each element's line for messages.
 */
public final class JsonRows {
  private JsonRows() {}

  /** A JSON list read from a file, plus the top-level fields beside it when the list sits in an object. */
  public record JsonList(RowTable table, Map<String, JsonNode> siblings) {}

  /** Reads a file whose top level is a JSON list. */
  public static RowTable readList(Path file) {
    return readList(file, null).table();
  }

  /**
   * Reads the list at the top level ({@code listField} null) or under top-level field {@code listField}
   * of an object; the object's other fields are returned as {@code siblings}.
   */
  public static JsonList readList(Path file, String listField) {
    requireNonEmpty(file);
    List<Row> rows = new ArrayList<>();
    Map<String, JsonNode> siblings = new LinkedHashMap<>();
    try (JsonParser p = DatasetsJson.mapper().createParser(file.toFile())) {
      JsonToken t = p.nextToken();
      if (listField == null) {
        if (t != JsonToken.START_ARRAY) {
          throw new DatasetFileException(
              file, "line " + p.currentTokenLocation().getLineNr(), "expected a JSON list of records");
        }
        readElements(file, p, rows);
      } else {
        if (t != JsonToken.START_OBJECT) {
          throw new DatasetFileException(
              file,
              "line " + p.currentTokenLocation().getLineNr(),
              "expected a JSON object with a '" + listField + "' list");
        }
        boolean found = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (name.equals(listField)) {
            if (v != JsonToken.START_ARRAY) {
              throw new DatasetFileException(
                  file, "line " + p.currentTokenLocation().getLineNr(), "'" + listField + "' is not a list");
            }
            readElements(file, p, rows);
            found = true;
          } else {
            siblings.put(name, DatasetsJson.mapper().readTree(p));
          }
        }
        if (!found) {
          throw new DatasetFileException(
              file, null, "missing field '" + listField + "' (fields found: " + siblings.keySet() + ")");
        }
      }
    } catch (IOException e) {
      throw new DatasetFileException(file, null, "malformed JSON: " + DatasetsJson.problem(e), e);
    }
    return new JsonList(new RowTable(file, null, rows), siblings);
  }

  private static void readElements(Path file, JsonParser p, List<Row> rows) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new DatasetFileException(file, null, "malformed JSON: the list is not closed");
      }
      int line = p.currentTokenLocation().getLineNr();
      JsonNode node = DatasetsJson.mapper().readTree(p);
      int index = rows.size();
      rows.add(toRow(index, "element " + (index + 1) + " (line " + line + ")", node));
    }
  }

  /** Reads a JSONL file: each non-blank line one JSON object; a line that is not one is a defective row. */
  public static RowTable readLines(Path file) {
    requireNonEmpty(file);
    List<Row> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        int index = rows.size();
        String where = "line " + lineNo;
        try {
          rows.add(toRow(index, where, DatasetsJson.mapper().readTree(line)));
        } catch (IOException e) {
          rows.add(new Row(index, where, Map.of(), "malformed JSON: " + DatasetsJson.problem(e)));
        }
      }
    } catch (IOException e) {
      throw new DatasetFileException(file, null, "cannot read: " + e.getMessage(), e);
    }
    return new RowTable(file, null, rows);
  }

  private static Row toRow(int index, String where, JsonNode node) {
    Map<String, String> values = new HashMap<>();
    if (node.isTextual()) {
      values.put("text", node.asText());
      return new Row(index, where, values, null);
    }
    if (!node.isObject()) {
      return new Row(index, where, values, "expected a JSON object, found " + node.getNodeType());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      String s = v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString();
      values.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), s);
    }
    return new Row(index, where, values, null);
  }

  private static void requireNonEmpty(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFileException(file, null, "no such file");
    }
    try {
      if (Files.readString(file, StandardCharsets.UTF_8).isBlank()) {
        throw new DatasetFileException(file, null, "empty file: expected JSON records");
      }
    } catch (IOException e) {
      throw new DatasetFileException(file, null, "cannot read as UTF-8 text: " + e.getMessage(), e);
    }
  }
}
