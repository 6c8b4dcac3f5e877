package refusallens.probes.text;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import refusallens.datasets.Prompt;
import refusallens.datasets.Label;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.bundle.DatasetBundle;
import refusallens.datasets.split.Split;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.StoreRow;

/**
 * The prompt text of each store row, read from the dataset the store was extracted from (a bundle
 * directory of {@code *.jsonl} prompt files, or one JSONL file): the row ids of the store's manifest are the
 * prompts' ids.
 */
public final class PromptTexts {
  private PromptTexts() {}

  /** Row id -> the user's request, for every prompt in {@code source} (a directory's *.jsonl or one file). */
  public static Map<String, String> read(Path source) {
    Map<String, String> out = new HashMap<>();
    for (Path f : files(source)) {
      for (Prompt p : PromptJsonl.read(f)) out.put(p.id(), p.userText());
    }
    return out;
  }

  /**
   * The texts of the dataset next to the store, when the store names it by a path that exists (absolute,
   * or relative to the store's parent directory, as the study lays out {@code bundle/} and {@code extract/});
   * null when it cannot be found.
   */
  public static Map<String, String> besideStore(ActivationStore store) {
    String id = store.header().dataset().id();
    Path parent = store.dir().toAbsolutePath().getParent();
    for (Path p : List.of(Path.of(id), parent == null ? Path.of(id) : parent.resolve(id))) {
      if (Files.exists(p)) return read(p);
    }
    return null;
  }

  /** Fails naming the first store row the texts do not cover. */
  public static void checkCovers(Map<String, String> texts, List<StoreRow> rows, String source) {
    for (StoreRow r : rows) {
      if (!texts.containsKey(r.id())) {
        throw new IllegalArgumentException(
            source + " has no prompt with id '" + r.id() + "' (a row of the store): the text baseline needs the dataset"
                + " the store was extracted from");
      }
    }
  }

  private static List<Path> files(Path source) {
    if (Files.isRegularFile(source)) return List.of(source);
    if (!Files.isDirectory(source)) throw new IllegalArgumentException("prompt texts: " + source + " does not exist");
    if (Files.isRegularFile(source.resolve(DatasetBundle.fileName(Label.HARMFUL, Split.TRAIN)))) {
      // a bundle: its prompt files (instructions.jsonl may be empty and holds no store row)
      List<Path> out = new ArrayList<>();
      for (Label l : Label.values()) for (Split sp : Split.values()) out.add(source.resolve(DatasetBundle.fileName(l, sp)));
      if (Files.isRegularFile(source.resolve(DatasetBundle.OOD_FILE))) out.add(source.resolve(DatasetBundle.OOD_FILE));
      return out;
    }
    try (Stream<Path> s = Files.list(source)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("listing " + source, e);
    }
  }
}
