package refusallens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of the library, read from its sources: the core (refusallens.core.*) depends on nothing of the
 * application, the refusal method and the organism stand beside each other on the core, and no runtime package
 * uses the development tools (refusallens.dev).
 */
class LayeringTest {
  private static final Path MAIN = Path.of("src/main/java/refusallens");
  /** Code references (imports or qualified names) to a refusallens package, outside comments. */
  private static final Pattern REFERENCE = Pattern.compile("\\brefusallens\\.(\\w+)(?:\\.(\\w+))?");

  @Test
  void coreDependsOnNothingOfTheApplication() {
    assertEquals(List.of(), violations("core", List.of("core", "files", "chat")));
  }

  @Test
  void refusalMethodAndOrganismStandOnTheCoreBesideEachOther() {
    assertEquals(List.of(), violations("refusal", List.of("core", "files", "chat", "datasets", "refusal", "progress",
        "report")));
    assertEquals(List.of(), violations("organism", List.of("core", "files", "chat", "datasets", "organism")));
  }

  @Test
  void runtimePackagesDoNotUseTheDevelopmentTools() {
    for (String p : List.of("core", "refusal", "organism", "lens", "progress", "report")) {
      List<String> bad = violations(p, null).stream().filter(v -> v.contains("refusallens.dev")).toList();
      assertEquals(List.of(), bad, p);
    }
  }

  /** Each reference from a source under {@code pkg} to a top-level package not in {@code allowed} (null: all). */
  private static List<String> violations(String pkg, List<String> allowed) {
    Path root = MAIN.resolve(pkg);
    assertTrue(Files.isDirectory(root), root.toAbsolutePath() + " is missing: the package layout changed");
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          if (line.startsWith("*") || line.startsWith("/*") || line.startsWith("//")) {
            continue;
          }
          Matcher m = REFERENCE.matcher(line);
          while (m.find()) {
            String top = m.group(1);
            if (allowed == null ? top.equals("dev") : !allowed.contains(top)) {
              out.add(MAIN.relativize(f) + ":" + (i + 1) + " uses refusallens." + top);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
