package refusallens.organism;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import refusallens.files.Json;

/** The organism's atomic writes: {@link refusallens.files.AtomicFiles} with its checked-exception signatures. */
final class AtomicFiles {
  private AtomicFiles() {}

  static void writeJson(Path target, Object value) throws IOException {
    writeString(target, Json.write(value));
  }

  static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static void write(Path target, byte[] bytes) throws IOException {
    try {
      refusallens.files.AtomicFiles.write(target, bytes);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Renames {@code tmp} onto {@code target}, atomically where the file system allows. */
  static void moveIntoPlace(Path tmp, Path target) throws IOException {
    refusallens.files.AtomicFiles.moveIntoPlace(tmp, target);
  }
}
