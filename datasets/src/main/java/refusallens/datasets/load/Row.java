package refusallens.datasets.load;

import java.util.Locale;
import java.util.Map;

/**
 * One record of a tabular source (a CSV record, a JSON list element, a JSONL line) as column values keyed
 * by lower-cased column name, with where it sits in the file.
 *
 * @param index 0-based position among the data records
 * @param where human-readable place for messages, e.g. {@code record 4 (line 7)}
 * @param values column values (lower-case keys; a value may be null)
 * @param defect why the record is malformed as read (wrong field count, not an object), or null
 */
public record Row(int index, String where, Map<String, String> values, String defect) {

  /** The value of {@code column} (case-insensitive), or null if absent. */
  public String get(String column) {
    return values.get(column.toLowerCase(Locale.ROOT));
  }

  /** The value of {@code column}, which must be present and not blank. */
  public String require(String column) {
    String v = get(column);
    if (v == null) {
      throw new BadRowException("missing field '" + column + "'");
    }
    if (v.isBlank()) {
      throw new BadRowException("empty field '" + column + "'");
    }
    return v;
  }

  /** The value of {@code column}, or null if absent or blank. */
  public String optional(String column) {
    String v = get(column);
    return v == null || v.isBlank() ? null : v;
  }
}
