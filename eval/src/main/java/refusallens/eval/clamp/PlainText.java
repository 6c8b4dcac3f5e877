package refusallens.eval.clamp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.generate.HarmCategory;
import refusallens.datasets.generate.PromptGenerator;
import refusallens.datasets.split.Split;
import refusallens.files.Json;

/**
 * The plain text (no chat template) on which coherence is also measured: by default the built-in generator's
 * reference answers to held-out (test split) harmless requests, or the texts of a file.
 */
public final class PlainText {
  private static final ObjectMapper JSON = Json.MAPPER;

  private PlainText() {}

  /** The first {@code n} reference answers of the generator's test split of harmless prompts for {@code seed}. */
  public static List<String> referenceAnswers(long seed, int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("plain-text coherence needs at least one text, got n = " + n);
    }
    // the test split is 15% of perLabel (at least one prompt per category): size it to hold n
    int perLabel = Math.max(3 * HarmCategory.values().length, (int) Math.ceil(n / 0.15) + 1);
    List<Prompt> harmless = PromptGenerator.generate(new GeneratorOptions(seed, perLabel, 0.15, 0.15, 0))
        .get(Split.TEST, Label.HARMLESS);
    List<String> out = new ArrayList<>();
    for (Prompt p : harmless) {
      if (p.response() != null && !p.response().isBlank() && out.size() < n) {
        out.add(p.response());
      }
    }
    return out;
  }

  /**
   * The texts of {@code file}: one per line (blank lines skipped), or JSONL (the first non-blank line starts
   * with '{') with a string field {@code text} on every line. Errors name {@code flag}, the file and the line.
   */
  public static List<String> read(String flag, Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + " " + file + ": cannot read (" + e.getMessage() + ")", e);
    }
    boolean jsonl = lines.stream().filter(l -> !l.isBlank()).findFirst().map(l -> l.strip().startsWith("{")).orElse(false);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      if (!jsonl) {
        out.add(line.strip());
        continue;
      }
      String where = flag + " " + file + " line " + (i + 1);
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(where + ": bad JSON (" + e.getOriginalMessage()
            + "); expected one object with a \"text\" field per line", e);
      }
      if (n == null || !n.isObject() || !n.path("text").isTextual() || n.get("text").asText().isBlank()) {
        throw new IllegalArgumentException(where + ": expected a JSON object with a non-empty string field \"text\"");
      }
      out.add(n.get("text").asText());
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(flag + " " + file
          + ": no texts (expected one text per line, or JSONL with a \"text\" field)");
    }
    return out;
  }
}
