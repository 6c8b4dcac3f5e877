package refusallens.core.output;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import refusallens.files.AtomicFiles;

/**
 * An output directory a command owns, and the guard every command that writes a directory goes through: it
 * only ever overwrites or deletes files it wrote itself. Ownership is recorded in {@value #RECORD} in the
 * directory: the command kind and, per output path, the files written there ({@code null} while an output is
 * being written, so that a run killed half-way still owns what it left). A file not recorded is foreign:
 * never overwritten, never deleted.
 *
 * <p>{@link #open} accepts a new or empty directory, one with a record of the same kind, or one an older
 * version of the same command wrote ({@link OutputKind#legacyOutputs}); any other non-empty directory is
 * refused unless {@code force}, and even then no planned output may already hold a foreign file.
 */
public final class OutputDir {
  /** The ownership record's file name (in the output directory). */
  public static final String RECORD = ".refusal-lens-output.json";
  /** The {@code kind} of the record. */
  public static final String RECORD_KIND = "refusal-lens/output-dir";
  /** How many foreign entries an error message names. */
  private static final int NAMED = 5;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The record's JSON form. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record OwnershipRecord(int schemaVersion, String kind, String command, Map<String, List<String>> outputs) {}

  private final Path dir;
  private final OutputKind kind;
  private final Map<String, List<String>> outputs;

  private OutputDir(Path dir, OutputKind kind, Map<String, List<String>> outputs) {
    this.dir = dir;
    this.kind = kind;
    this.outputs = outputs;
  }

  /**
   * Opens {@code dir} as an output directory of {@code kind}, creating it when missing.
   *
   * @param flag the option that named it, for messages ({@code --out})
   * @param force accept a non-empty directory not written by this command (its files are kept)
   * @param planned the outputs (relative paths; {@code "."} for the whole directory) the command will write:
   *     each is checked now to hold no foreign file, so a refusal comes before any work
   * @throws IllegalArgumentException naming the directory and what was found, when it may not be used
   */
  public static OutputDir open(Path dir, String flag, OutputKind kind, boolean force, List<String> planned) {
    Path abs = dir.toAbsolutePath().normalize();
    if (Files.exists(abs) && !Files.isDirectory(abs)) {
      throw new IllegalArgumentException(flag + " " + dir + " exists and is not a directory");
    }
    OutputDir out;
    Path record = abs.resolve(RECORD);
    if (Files.isRegularFile(record)) {
      OwnershipRecord r;
      try {
        r = JSON.readValue(record.toFile(), OwnershipRecord.class);
      } catch (IOException e) {
        throw new IllegalArgumentException(flag + " " + dir + ": unreadable ownership record " + record + ": " + e.getMessage(), e);
      }
      if (!RECORD_KIND.equals(r.kind()) || r.outputs() == null) {
        throw new IllegalArgumentException(flag + " " + dir + ": " + record + " is not a refusal-lens ownership record");
      }
      if (!kind.command().equals(r.command())) {
        throw new IllegalArgumentException(flag + " " + dir + " holds the output of 'refusal-lens " + r.command()
            + "', not of '" + kind.command() + "': choose another directory");
      }
      out = new OutputDir(abs, kind, new TreeMap<>(r.outputs()));
    } else {
      List<String> found = entries(abs);
      out = new OutputDir(abs, kind, new TreeMap<>());
      if (!found.isEmpty()) {
        List<String> legacy = kind.legacyOutputs().apply(abs);
        if (!legacy.isEmpty()) {
          legacy.forEach(rel -> out.outputs.put(normalise(rel), null)); // all they hold was written by us
        } else if (!force) {
          throw new IllegalArgumentException(flag + " " + dir + " is not empty and was not written by 'refusal-lens "
              + kind.command() + "' (found " + describe(found) + "). refusal-lens writes only into a new or empty"
              + " directory or one it wrote itself: choose another " + flag + ", or pass --force to write beside"
              + " these files (they are kept, never overwritten or deleted)");
        }
      }
      try {
        Files.createDirectories(abs);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + flag + " " + dir, e);
      }
      out.save();
    }
    for (String rel : planned) {
      out.requireNoForeign(normalise(rel));
    }
    return out;
  }

  /** The directory (absolute). */
  public Path dir() {
    return dir;
  }

  /** The command kind. */
  public OutputKind kind() {
    return kind;
  }

  /** {@code rel} resolved in the directory. */
  public Path resolve(String rel) {
    return dir.resolve(rel);
  }

  /**
   * Declares that {@code rels} are about to be (re)written: each must hold no foreign file; each is recorded
   * as being written before this returns (so a crash leaves it owned).
   */
  public void claim(String... rels) {
    for (String rel : rels) {
      requireNoForeign(normalise(rel));
    }
    for (String rel : rels) {
      outputs.put(normalise(rel), null);
    }
    save();
  }

  /** Records the files now under each of {@code rels} (claimed before) as this command's. */
  public void commit(String... rels) {
    for (String rel : rels) {
      String r = normalise(rel);
      if (!outputs.containsKey(r)) {
        throw new IllegalStateException(r + " was committed in " + dir + " without being claimed");
      }
      outputs.put(r, files(r));
    }
    save();
  }

  /** Whether the file {@code rel} was written by this command (or is part of an output being written). */
  public boolean owns(String rel) {
    String p = normalise(rel);
    if (p.equals(RECORD)) {
      return true;
    }
    for (Map.Entry<String, List<String>> e : outputs.entrySet()) {
      if (under(p, e.getKey()) && (e.getValue() == null || e.getValue().contains(p))) {
        return true;
      }
    }
    return false;
  }

  /** The files under {@code rel} (itself when a file) that this command did not write. */
  public List<String> foreignUnder(String rel) {
    return files(normalise(rel)).stream().filter(f -> !owns(f)).toList();
  }

  /**
   * Deletes the files under {@code rel} that this command wrote, then the directories left empty; a foreign
   * file (and the directories holding it) stays.
   */
  public void delete(String rel) {
    String r = normalise(rel);
    Path root = dir.resolve(r);
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(p)) {
          if (!p.equals(dir) && isEmpty(p)) {
            Files.delete(p);
          }
        } else if (owns(relative(p)) && !relative(p).equals(RECORD)) {
          Files.delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
    if (outputs.get(r) != null) {
      outputs.put(r, List.of()); // whatever remains under it is foreign
      save();
    }
  }

  private void requireNoForeign(String rel) {
    List<String> foreign = foreignUnder(rel);
    if (!foreign.isEmpty()) {
      throw new IllegalArgumentException("refusal-lens " + kind.command() + " would write " + dir.resolve(rel)
          + ", which holds " + describe(foreign) + " that it did not write; move "
          + (foreign.size() == 1 ? "it" : "them") + " away or choose another output directory");
    }
  }

  /** Regular files (relative paths) at or under {@code rel}, the record excluded. */
  private List<String> files(String rel) {
    Path root = dir.resolve(rel);
    if (Files.isRegularFile(root)) {
      return List.of(rel);
    }
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !Files.isDirectory(p)).map(this::relative)
          .filter(p -> !p.equals(RECORD) && !(p.startsWith("." + RECORD) && p.endsWith(".tmp"))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  private String relative(Path p) {
    return dir.relativize(p).toString().replace('\\', '/');
  }

  private static boolean under(String path, String output) {
    return output.equals(".") || path.equals(output) || path.startsWith(output + "/");
  }

  /** A relative, {@code /}-separated path inside the directory ({@code "."} for the directory itself). */
  static String normalise(String rel) {
    Path p = Path.of(rel).normalize();
    if (p.isAbsolute() || p.startsWith("..")) {
      throw new IllegalArgumentException("output path " + rel + " is not inside the output directory");
    }
    String s = p.toString().replace('\\', '/');
    return s.isEmpty() ? "." : s;
  }

  private static List<String> entries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString() + (Files.isDirectory(p) ? "/" : "")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static boolean isEmpty(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.findAny().isEmpty();
    }
  }

  private static String describe(List<String> names) {
    List<String> shown = new ArrayList<>(names.subList(0, Math.min(NAMED, names.size())));
    String more = names.size() > NAMED ? " and " + (names.size() - NAMED) + " more" : "";
    return String.join(", ", shown) + more;
  }

  /** Writes the record atomically (a crash leaves the old record or the new one). */
  private void save() {
    Path target = dir.resolve(RECORD);
    AtomicFiles.writeWith(target,
        tmp -> JSON.writeValue(tmp.toFile(), new OwnershipRecord(1, RECORD_KIND, kind.command(), outputs)));
  }
}
