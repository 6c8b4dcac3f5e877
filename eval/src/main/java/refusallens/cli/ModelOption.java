package refusallens.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.organism.Organism;

/**
 * The {@code --model} every command takes (a picocli mixin): a checkpoint directory or a Hugging Face id in the
 * local cache, the embedded organism by default. Commands that once took the directory as their first argument
 * still accept it (deprecated, hidden from help).
 */
final class ModelOption {
  @Option(names = "--model", paramLabel = "DIR|OWNER/NAME[@REV]", converter = ModelDirConverter.class,
      description = "Model directory, or a Hugging Face id in the local cache (default: the embedded organism).")
  Path model;

  @Parameters(index = "0", arity = "0..1", hidden = true, paramLabel = "MODEL_DIR", converter = ModelDirConverter.class,
      description = "Deprecated: use --model.")
  Path positional;

  /** The model directory: --model, else the deprecated positional one, else the embedded organism. */
  Path dir() {
    if (model != null && positional != null && !model.equals(positional)) {
      throw new IllegalArgumentException("--model " + model + " and MODEL_DIR " + positional
          + " name different models; give --model only");
    }
    return Organism.modelOrDefault(model != null ? model : positional);
  }
}
