package refusallens.datasets.load;

import java.nio.file.Path;

/** Reads one public dataset layout into prompts. */
public interface PromptLoader {
  /**
   * Reads {@code file}.
   *
   * @throws refusallens.datasets.DatasetFileException naming the file, record/line and problem
   */
  LoadResult load(Path file, LoadOptions options);
}
