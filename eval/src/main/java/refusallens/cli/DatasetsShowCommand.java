package refusallens.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.datasets.DatasetsJson;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.PromptStats;
import refusallens.datasets.load.DatasetFormat;
import refusallens.datasets.load.LoadResult;

/** {@code datasets show FILE}: counts by label, category, attack and source, and a few examples. */
@Command(
    name = "show",
    description = "Show a prompt file: counts by label, category, attack and source, and examples.")
public final class DatasetsShowCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Prompt JSONL (or any format with --format).")
  Path file;

  @Option(names = "--format", description = "Read FILE in this import format instead of prompt JSONL.")
  String format;

  @CommandLine.Mixin DatasetsImportCommand.LoadFlags flags;

  @Option(names = "--examples", defaultValue = "2", description = "Examples per label (default ${DEFAULT-VALUE}).")
  int examples;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws Exception {
    List<Prompt> prompts;
    if (format == null) {
      prompts = PromptJsonl.read(file);
    } else {
      LoadResult r = DatasetFormat.byName(format).load(file, flags.options());
      r.printNotes(spec.commandLine().getErr());
      prompts = r.prompts();
    }
    PromptStats stats = PromptStats.of(prompts);
    List<Prompt> picked = new java.util.ArrayList<>();
    for (Label l : Label.values()) {
      prompts.stream().filter(p -> p.label() == l).limit(Math.max(0, examples)).forEach(picked::add);
    }
    PrintWriter w = spec.commandLine().getOut();
    if (jsonOption.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("schemaVersion", 1);
      doc.put("file", file.toString());
      doc.put("total", stats.total());
      doc.put("by_label", stats.byLabel());
      doc.put("by_category", stats.byCategory());
      doc.put("by_attack", stats.byAttack());
      doc.put("by_source", stats.bySource());
      doc.put("examples", picked);
      CliJson.print(w, doc);
    } else {
      w.println(file + ": " + stats.total() + " prompts");
      section(w, "label", stats.byLabel());
      section(w, "category", stats.byCategory());
      section(w, "attack", stats.byAttack());
      section(w, "source", stats.bySource());
      w.println("examples:");
      for (Prompt p : picked) {
        String t = p.userText().replace('\n', ' ');
        w.println("  [" + p.label().wireName() + "] " + p.id() + ": " + (t.length() > 160 ? t.substring(0, 157) + "..." : t));
      }
    }
    w.flush();
    return 0;
  }

  private static void section(PrintWriter w, String name, Map<String, Integer> counts) {
    w.println("by " + name + ":");
    counts.forEach((k, v) -> w.printf("  %-40s %7d%n", k, v));
  }
}
