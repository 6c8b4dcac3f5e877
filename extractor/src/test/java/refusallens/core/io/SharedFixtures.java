package refusallens.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Paths into the shared conformance fixtures ({@code refusallens.shared} system property). */
public final class SharedFixtures {
  /** The fixture architectures. */
  public static final List<String> ARCHS = List.of("gemma2", "llama3");

  private SharedFixtures() {}

  /** {@code ../shared/fixtures}. */
  public static Path root() {
    String shared = System.getProperty("refusallens.shared");
    if (shared == null) {
      throw new IllegalStateException("system property refusallens.shared is not set (run through Maven)");
    }
    return Path.of(shared, "fixtures");
  }

  /** {@code fixtures/ARCH}. */
  public static Path arch(String arch) {
    return root().resolve(arch);
  }

  /** A parsed JSON file. */
  public static JsonNode json(Path p) {
    try {
      return new ObjectMapper().readTree(Files.readString(p));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
