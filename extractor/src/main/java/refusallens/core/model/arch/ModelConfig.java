package refusallens.core.model.arch;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hyperparameters every supported decoder-only architecture shares, read from a Hugging Face
 * {@code config.json}; each architecture's record adds its own keys.
 */
public interface ModelConfig {
  Architecture architecture();

  /** The decoder hyperparameters every architecture shares. */
  DecoderShape shape();

  /**
   * Reads {@code config.json} from a model directory (or the file itself) and dispatches on
   * {@code model_type}; an unknown type is an error naming the supported ones.
   */
  static ModelConfig read(Path dirOrFile) {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
    HfConfigJson json = HfConfigJson.read(file);
    Architecture arch = Architecture.fromModelType(json.requireString("model_type"), file);
    try {
      return arch.parseConfig(json);
    } catch (IllegalArgumentException e) {
      // the records' checks know the key, not the file: every config error names both
      String msg = String.valueOf(e.getMessage());
      if (msg.startsWith(file.toString())) {
        throw e;
      }
      throw new IllegalArgumentException(file + ": " + msg, e);
    }
  }
}
