package refusallens.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.datasets.DatasetsJson;
import refusallens.datasets.Label;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.PromptStats;
import refusallens.datasets.load.DatasetFormat;
import refusallens.datasets.load.LoadOptions;
import refusallens.datasets.load.LoadResult;

/** {@code datasets import FORMAT FILE --out FILE.jsonl}: converts a public dataset file to prompt JSONL. */
@Command(
    name = "import",
    description = "Convert a dataset file to prompt JSONL. FORMAT: advbench, harmbench, jbb-behaviors, "
        + "jbb-artifacts, alpaca, refusal-direction, jailbreak-prompts, csv, json, jsonl.")
public final class DatasetsImportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FORMAT", description = "Input layout (see 'datasets list').")
  String format;

  @Parameters(index = "1", paramLabel = "FILE", description = "Input file (jbb-artifacts: also a directory).")
  Path file;

  @Option(names = "--out", required = true, description = "Output JSONL file.")
  Path out;

  @CommandLine.Mixin LoadFlags flags;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws Exception {
    DatasetFormat f = DatasetFormat.byName(format);
    LoadResult r = f.load(file, flags.options());
    r.printNotes(spec.commandLine().getErr());
    PromptJsonl.write(out, r.prompts());
    PromptStats stats = PromptStats.of(r.prompts());
    PrintWriter w = spec.commandLine().getOut();
    if (jsonOption.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("schemaVersion", 1);
      doc.put("format", f.cliName());
      doc.put("input", file.toString());
      doc.put("output", out.toString());
      doc.put("total", stats.total());
      doc.put("badRows", r.badRows());
      doc.put("notes", r.notes());
      doc.put("by_label", stats.byLabel());
      doc.put("by_category", stats.byCategory());
      CliJson.print(w, doc);
    } else {
      w.println("wrote " + stats.total() + " prompts to " + out + " " + stats.byLabel()
          + (r.badRows() > 0 ? " (" + r.badRows() + " malformed records skipped)" : ""));
    }
    w.flush();
    return 0;
  }

  /** The reading flags shared by {@code import}, {@code show --format} and {@code split --format}. */
  static final class LoadFlags {
    @Option(names = "--text-column", description = "Column/field with the prompt text.")
    String textColumn;

    @Option(names = "--label-column", description = "Column/field with the label (harmful|harmless, 1|0, ...).")
    String labelColumn;

    @Option(names = "--label", description = "A fixed label for every row: harmful or harmless.")
    String label;

    @Option(names = "--category-column", description = "Column/field with the category.")
    String categoryColumn;

    @Option(names = "--skip-bad-rows", description = "Skip malformed records with a counted warning.")
    boolean skipBadRows;

    @Option(
        names = "--harmbench-category",
        split = ",",
        description = "HarmBench functional categories to keep: standard (default), contextual, copyright.")
    List<String> harmbenchCategories;

    @Option(names = "--source", description = "The source name recorded on every prompt.")
    String source;

    LoadOptions options() {
      Label fixed;
      try {
        fixed = label == null ? null : Label.parse(label);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--label: " + e.getMessage());
      }
      return new LoadOptions(
          textColumn,
          labelColumn,
          fixed,
          categoryColumn,
          skipBadRows,
          harmbenchCategories == null ? null : Set.copyOf(harmbenchCategories),
          source);
    }
  }
}
