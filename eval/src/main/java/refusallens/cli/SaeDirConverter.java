package refusallens.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import refusallens.core.hub.HfCache;
import refusallens.core.hub.HubException;

/** Reads a single-directory {@code --sae}: a directory, or a SAELens release id in the local HF cache. */
public final class SaeDirConverter implements CommandLine.ITypeConverter<Path> {
  @Override
  public Path convert(String value) {
    try {
      return HfCache.fromEnvironment().resolveSae(value);
    } catch (HubException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
