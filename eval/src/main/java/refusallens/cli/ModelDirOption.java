package refusallens.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import refusallens.organism.Organism;

/**
 * The one {@code --model} (a picocli mixin): a checkpoint directory or a Hugging Face id in the local cache, the
 * embedded organism by default.
 */
final class ModelDirOption {
  @Option(names = "--model", paramLabel = "DIR|OWNER/NAME[@REV]", converter = ModelDirConverter.class,
      description = "Model directory, or a Hugging Face id in the local cache (default: the embedded organism).")
  Path model;

  /** The model directory: --model, else the embedded organism. */
  Path dir() {
    return Organism.modelOrDefault(model);
  }

  /** {@code dir} when it is a directory; otherwise an error naming --model. */
  static Path requireDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--model " + dir + ": not a directory");
    }
    return dir;
  }
}
