package refusallens.datasets.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/**
 * JailbreakBench attack artifacts: JSON {@code {parameters: {method, model, ...}, jailbreaks: [{index,
 * goal, behavior, category, prompt, response, jailbroken, ...}]}}. Each submitted jailbreak prompt becomes
 * an adversarial harmful prompt whose {@code attack} is the method and whose {@code baseId} is the
 * JBB-Behaviors id. Entries with {@code prompt: null} (failed attacks) are skipped and counted in a note.
 * A directory is read whole (every {@code *.json} below it except {@code attack-info.json}, sorted).
 */
public final class JbbArtifactsLoader implements PromptLoader {
  @Override
  public LoadResult load(Path file, LoadOptions options) {
    if (Files.isDirectory(file)) {
      return loadDirectory(file, options);
    }
    JsonRows.JsonList list = JsonRows.readList(file, "jailbreaks");
    JsonNode params = list.siblings().get("parameters");
    if (params == null || !params.hasNonNull("method") || !params.hasNonNull("model")) {
      throw new DatasetFileException(
          file, null, "missing 'parameters' with 'method' and 'model' (not a JailbreakBench artifact)");
    }
    String method = params.get("method").asText();
    String model = params.get("model").asText();
    String source =
        options.source() == null ? "jailbreakbench-artifacts/" + method + "/" + model : options.source();
    Label label = options.label() == null ? Label.HARMFUL : options.label();
    int[] failed = {0};
    return RowMapping.map(
        list.table(),
        options,
        row -> {
          String index = row.require("index").trim();
          if (row.get("prompt") == null) {
            failed[0]++;
            return null;
          }
          return new Prompt(
              "jbb-" + method + "-" + model + "/" + index,
              row.require("prompt"),
              null,
              label,
              row.optional("category"),
              source,
              method,
              "jbb-harmful/" + index,
              null);
        },
        () ->
            failed[0] == 0
                ? List.of()
                : List.of(
                    file
                        + ": skipped "
                        + failed[0]
                        + " jailbreak(s) with prompt null (attacks that submitted no prompt)"));
  }

  private LoadResult loadDirectory(Path dir, LoadOptions options) {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> p.getFileName().toString().endsWith(".json"))
              .filter(p -> !p.getFileName().toString().equals("attack-info.json"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new DatasetFileException(dir, null, "cannot list: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new DatasetFileException(dir, null, "no artifact *.json files in this directory");
    }
    List<Prompt> prompts = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    int bad = 0;
    for (Path f : files) {
      LoadResult r = load(f, options);
      prompts.addAll(r.prompts());
      notes.addAll(r.notes());
      bad += r.badRows();
    }
    return new LoadResult(prompts, bad, notes);
  }
}
