package refusallens.core.io;

import java.nio.file.Path;

/** A tensor file (safetensors, .npy, .npz, checkpoint index) that is malformed or lacks what was asked. */
public final class TensorFileException extends RuntimeException {
  private final Path file;

  public TensorFileException(Path file, String what) {
    super(file + ": " + what);
    this.file = file;
  }

  public TensorFileException(Path file, String what, Throwable cause) {
    super(file + ": " + what, cause);
    this.file = file;
  }

  /** The file the problem is in. */
  public Path file() {
    return file;
  }
}
