package refusallens.core.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import refusallens.files.Json;

/**
 * The command whose output directory an {@link OutputDir} is ({@code study}, {@code eval clamp}, ...), and how
 * to recognise a directory that command wrote before ownership records existed.
 *
 * @param command the command line words, e.g. {@code "probes compare"}
 * @param legacyOutputs for a directory without an ownership record: the paths (relative, {@code /}-separated)
 *     an older version of this command wrote there, or an empty list when it is not such a directory
 */
public record OutputKind(String command, Function<Path, List<String>> legacyOutputs) {
  private static final ObjectMapper JSON = Json.MAPPER;

  public OutputKind {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(legacyOutputs, "legacyOutputs");
  }

  /**
   * A kind whose older directories hold {@code marker}, a JSON file whose {@code "kind"} is {@code jsonKind}
   * (any file named {@code marker} when {@code jsonKind} is null); such a directory owns {@code outputs}.
   */
  public static OutputKind recognisedBy(String command, String marker, String jsonKind, List<String> outputs) {
    List<String> owned = List.copyOf(outputs);
    return new OutputKind(command, dir -> hasJsonKind(dir.resolve(marker), jsonKind) ? owned : List.of());
  }

  /** Whether {@code file} is a regular file and (when {@code kind} is not null) a JSON object with that {@code "kind"}. */
  public static boolean hasJsonKind(Path file, String kind) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    if (kind == null) {
      return true;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      return n != null && kind.equals(n.path("kind").asText(null));
    } catch (IOException e) {
      return false; // unreadable: not evidence that we wrote it
    }
  }
}
