package refusallens.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import refusallens.files.AtomicFiles;

/** Reads and writes prompts as JSONL: one {@link Prompt} per line, fields in a fixed order, UTF-8, "\n". */
public final class PromptJsonl {
  private PromptJsonl() {}

  /** One prompt as its JSONL line (no newline). */
  public static String toLine(Prompt p) {
    try {
      return DatasetsJson.mapper().writeValueAsString(p);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise prompt " + p.id(), e);
    }
  }

  /** Writes the prompts to {@code file} (atomically: a temporary file moved into place). */
  public static void write(Path file, List<Prompt> prompts) {
    AtomicFiles.writeWith(file, tmp -> {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (Prompt p : prompts) {
          w.write(toLine(p));
          w.write('\n');
        }
      }
    });
  }

  /**
   * Reads a prompts JSONL file. Blank lines are ignored; any other line that is not a valid prompt is an
   * error naming the file and line.
   */
  public static List<Prompt> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFileException(file, null, "no such file");
    }
    List<Prompt> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(DatasetsJson.mapper().readValue(line, Prompt.class));
        } catch (JsonProcessingException e) {
          throw new DatasetFileException(
              file, "line " + lineNo, "not a prompt record: " + DatasetsJson.problem(e), e);
        }
      }
    } catch (IOException e) {
      throw new DatasetFileException(file, null, "cannot read: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new DatasetFileException(file, null, "empty file: no prompt records");
    }
    return out;
  }
}
