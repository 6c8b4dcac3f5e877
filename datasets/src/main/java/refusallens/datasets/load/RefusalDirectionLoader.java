package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import refusallens.datasets.DatasetFileException;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/**
 * The refusal_direction datasets (andyrdt/refusal_direction {@code dataset/splits/*.json} and
 * {@code dataset/processed/*.json}): JSON lists of {@code {instruction, category}}. The label comes from
 * the options or the file name: {@code harmless_*} and {@code alpaca} are harmless, {@code harmful_*} and
 * the other processed sets (advbench, harmbench, jailbreakbench, ...) are harmful.
 */
public final class RefusalDirectionLoader implements PromptLoader {
  @Override
  public LoadResult load(Path file, LoadOptions options) {
    String stem = RowMapping.stem(file);
    Label label = options.label() == null ? labelFromName(file, stem) : options.label();
    RowTable table = JsonRows.readList(file);
    String source = options.source() == null ? "refusal_direction/" + stem : options.source();
    return RowMapping.map(
        table,
        options,
        row ->
            Prompt.of(
                stem + "/" + row.index(),
                row.require("instruction"),
                label,
                row.optional("category"),
                source),
        List::of);
  }

  private static Label labelFromName(Path file, String stem) {
    String s = stem.toLowerCase(Locale.ROOT);
    if (s.startsWith("harmless") || s.equals("alpaca")) {
      return Label.HARMLESS;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (s.startsWith("harmful")
        || (parent != null && parent.getFileName().toString().equals("processed"))) {
      return Label.HARMFUL;
    }
    throw new DatasetFileException(
        file, null, "cannot tell the label from the file name; pass --label harmful|harmless");
  }
}
