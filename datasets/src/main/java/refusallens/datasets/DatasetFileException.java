package refusallens.datasets;

import java.nio.file.Path;

/** A dataset file that cannot be read as expected; the message names the file, the place and the problem. */
public final class DatasetFileException extends RuntimeException {
  private final Path file;

  public DatasetFileException(Path file, String where, String problem) {
    this(file, where, problem, null);
  }

  public DatasetFileException(Path file, String where, String problem, Throwable cause) {
    super(file + (where == null || where.isEmpty() ? "" : ", " + where) + ": " + problem, cause);
    this.file = file;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
