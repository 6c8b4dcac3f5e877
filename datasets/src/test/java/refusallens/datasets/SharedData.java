package refusallens.datasets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared public datasets ({@code ../shared/data}) and the row counts documented in their README, read
 * from the README's tables so no reference number is copied into a test.
 */
public final class SharedData {
  private SharedData() {}

  /** {@code shared/data}. */
  public static Path dir() {
    String shared = System.getProperty("refusallens.shared", "../shared");
    Path d = Path.of(shared, "data");
    assertTrue(Files.isDirectory(d), "shared data directory missing: " + d.toAbsolutePath());
    return d;
  }

  /** A file under {@code shared/data}. */
  public static Path file(String relative) {
    Path f = dir().resolve(relative);
    assertTrue(Files.exists(f), "shared data file missing: " + f);
    return f;
  }

  private static List<String> readme() {
    try {
      return Files.readAllLines(dir().resolve("README.md"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> cells(String line) {
    List<String> out = new ArrayList<>();
    for (String c : line.split("\\|", -1)) {
      out.add(c.trim());
    }
    return out.subList(1, out.size() - 1);
  }

  /** The "rows" cell of the README table row whose first cell is {@code firstCell}. */
  public static String rowsCell(String firstCell) {
    List<String> lines = readme();
    for (int i = 0; i < lines.size(); i++) {
      List<String> c = lines.get(i).startsWith("|") ? cells(lines.get(i)) : List.of();
      if (!c.isEmpty() && c.get(0).equals(firstCell)) {
        int h = i;
        while (h > 0 && !lines.get(h).startsWith("| file")) {
          h--;
        }
        int col = cells(lines.get(h)).indexOf("rows");
        assertTrue(col >= 0, "no rows column above README line " + (i + 1));
        return c.get(col);
      }
    }
    throw new AssertionError("README has no table row for '" + firstCell + "'");
  }

  /** The first number of the rows cell of {@code firstCell}. */
  public static int rows(String firstCell) {
    return number(rowsCell(firstCell), "(\\d+)");
  }

  /** The number captured by {@code regex} in the rows cell of {@code firstCell}. */
  public static int rows(String firstCell, String regex) {
    return number(rowsCell(firstCell), regex);
  }

  /**
   * For a row naming several files (e.g. {@code splits/a / b / c .json} with {@code 1 / 2 / 3}), the count
   * per bare file name.
   */
  public static Map<String, Integer> listRows(String firstCell) {
    String[] names = firstCell.split("\\s*[/,]\\s+|\\s+/\\s*");
    String[] counts = rowsCell(firstCell).split("\\s*[/,]\\s*");
    List<String> clean = new ArrayList<>();
    for (String n : names) {
      String s = n.replaceFirst("^(splits|processed)/", "").replaceFirst("\\s*\\.json.*$", "").trim();
      clean.add(s);
    }
    if (clean.size() != counts.length) {
      throw new AssertionError("cannot pair names " + clean + " with counts " + List.of(counts));
    }
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < counts.length; i++) {
      m.put(clean.get(i), Integer.parseInt(counts[i].trim()));
    }
    return m;
  }

  private static int number(String cell, String regex) {
    Matcher m = Pattern.compile(regex).matcher(cell);
    if (!m.find()) {
      throw new AssertionError("'" + regex + "' not found in README cell '" + cell + "'");
    }
    return Integer.parseInt(m.group(1));
  }
}
