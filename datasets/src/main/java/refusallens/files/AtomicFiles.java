package refusallens.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a reader (or a resumed run) never sees half of one: a temporary file in the target's
 * folder, then a rename onto the target (atomic where the file system allows). The one temp-then-rename of the
 * code base.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code bytes} to {@code target} atomically, creating its folder. */
  public static void write(Path target, byte[] bytes) {
    writeWith(target, tmp -> Files.write(tmp, bytes));
  }

  /** Writes {@code text} as UTF-8 to {@code target} atomically. */
  public static void writeString(Path target, String text) {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code value} as JSON ({@link Json#write}: pretty, one format) to {@code target} atomically. */
  public static void writeJson(Path target, Object value) {
    writeString(target, Json.write(value) + "\n");
  }

  /** How a caller fills the temporary file. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(Path tmp) throws IOException;
  }

  /**
   * Lets {@code writer} fill a temporary file beside {@code target}, then renames it onto {@code target}; the
   * temporary file is removed if anything fails. Errors name the target.
   */
  public static void writeWith(Path target, Writer writer) {
    Path dir = target.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      try {
        writer.writeTo(tmp);
        moveIntoPlace(tmp, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /** Renames {@code tmp} onto {@code target}, atomically where the file system allows. */
  public static void moveIntoPlace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
