package refusallens.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import refusallens.organism.Organism;

/**
 * {@link ModelDirOption} for the commands that once took the model directory as their first argument (a picocli
 * mixin): they still accept it (deprecated, hidden from help).
 */
final class ModelOption {
  @Mixin ModelDirOption option;

  @Parameters(index = "0", arity = "0..1", hidden = true, paramLabel = "MODEL_DIR", converter = ModelDirConverter.class,
      description = "Deprecated: use --model.")
  Path positional;

  /** The model directory: --model, else the deprecated positional one, else the embedded organism. */
  Path dir() {
    Path model = option.model;
    if (model != null && positional != null && !model.equals(positional)) {
      throw new IllegalArgumentException("--model " + model + " and MODEL_DIR " + positional
          + " name different models; give --model only");
    }
    return Organism.modelOrDefault(model != null ? model : positional);
  }

  /** {@link #dir}, which must be a directory. */
  Path existingDir() {
    return ModelDirOption.requireDirectory(dir());
  }
}
