package refusallens.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import refusallens.core.hub.HfCache;
import refusallens.core.hub.HubException;

/** Reads {@code --model}: a directory, or a Hugging Face id {@code OWNER/NAME[@REV]} in the local HF cache. */
public final class ModelDirConverter implements CommandLine.ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    try {
      return HfCache.fromEnvironment().resolveModel(value);
    } catch (HubException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
