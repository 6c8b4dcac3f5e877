package refusallens.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CLI, the study and the service open a model, its tokenizer and SAEs only through {@link Lens}: none of
 * their sources calls the loaders itself (the tokenizer-only commands, which read no model, excepted).
 */
class OneOpeningPathTest {
  private static final List<String> LOADERS = List.of("Transformer.open(", "SaeSet.open(", "Tokenizer.load(");
  /** Commands that read a tokenizer and no model (they work on a folder without config.json). */
  private static final Set<String> TOKENIZER_ONLY = Set.of("InspectCommand.java", "BenchTokenizeCommand.java");

  @Test
  void noApplicationSourceOpensTheModelByHand() throws IOException {
    Path repo = Path.of(System.getProperty("refusallens.repo"));
    List<String> found = new ArrayList<>();
    for (String module : List.of("eval", "classifier-service")) {
      try (Stream<Path> files = Files.walk(repo.resolve(module).resolve("src/main/java"))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          List<String> lines = Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            for (String loader : LOADERS) {
              boolean allowed = loader.equals("Tokenizer.load(") && TOKENIZER_ONLY.contains(f.getFileName().toString());
              if (lines.get(i).contains(loader) && !allowed) {
                found.add(repo.relativize(f) + ":" + (i + 1) + " " + lines.get(i).trim());
              }
            }
          }
        }
      }
    }
    assertEquals(List.of(), found, "open models through refusallens.lens.Lens");
  }
}
