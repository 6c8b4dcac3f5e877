package refusallens.datasets.load;

import java.nio.file.Path;
import java.util.List;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;

/** AdvBench {@code harmful_behaviors.csv} (columns {@code goal,target}): harmful requests, no categories. */
public final class AdvBenchLoader implements PromptLoader {
  @Override
  public LoadResult load(Path file, LoadOptions options) {
    RowTable table = CsvRows.read(file);
    table.requireColumns("goal");
    String source = options.source() == null ? "advbench" : options.source();
    Label label = options.label() == null ? Label.HARMFUL : options.label();
    return RowMapping.map(
        table,
        options,
        row -> Prompt.of("advbench/" + row.index(), row.require("goal"), label, null, source),
        List::of);
  }
}
