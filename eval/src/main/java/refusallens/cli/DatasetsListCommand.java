package refusallens.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.datasets.DatasetsJson;
import refusallens.datasets.attack.Attack;
import refusallens.datasets.attack.Attacks;
import refusallens.datasets.bundle.DatasetBundle;
import refusallens.datasets.generate.HarmCategory;
import refusallens.datasets.load.DatasetFormat;

/** {@code datasets list}: the built-in sets, the import formats and the adversarial transforms. */
@Command(
    name = "list",
    description = "List the built-in datasets, the import formats and the attacks.")
public final class DatasetsListCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin JsonOption jsonOption;

  /** What {@code datasets make} writes, file by file. */
  static Map<String, String> builtins() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("harmful_{train,val,test}.jsonl", "generated harmful requests over " + HarmCategory.values().length
        + " harm categories; each split has its own request templates");
    m.put("harmless_{train,val,test}.jsonl", "matched harmless requests (same templates, benign tasks on the "
        + "same topics) with a reference response");
    m.put(DatasetBundle.OOD_FILE, "every attack applied to every test prompt (nothing else)");
    m.put(DatasetBundle.INSTRUCTIONS_FILE, "plain Alpaca-style instructions with answers, for coherence tests");
    return m;
  }

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    List<String> categories = new ArrayList<>();
    for (HarmCategory c : HarmCategory.values()) {
      categories.add(c.wireName());
    }
    if (jsonOption.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("schemaVersion", 1);
      doc.put("builtins", builtins());
      doc.put("categories", categories);
      Map<String, String> formats = new LinkedHashMap<>();
      for (DatasetFormat f : DatasetFormat.values()) {
        formats.put(f.cliName(), f.description());
      }
      doc.put("formats", formats);
      Map<String, String> attacks = new LinkedHashMap<>();
      for (Attack a : Attacks.all()) {
        attacks.put(a.name(), a.description());
      }
      doc.put("attacks", attacks);
      // Insertion order: formats and attacks in the order `datasets list` prints them.
      CliJson.print(out, doc);
      return 0;
    }
    out.println("Built-in bundle (refusal-lens datasets make --out DIR [--seed S --n N]):");
    builtins().forEach((k, v) -> out.printf("  %-34s %s%n", k, v));
    out.println("  harm categories: " + String.join(", ", categories));
    out.println();
    out.println("Import formats (refusal-lens datasets import FORMAT FILE --out FILE.jsonl):");
    for (DatasetFormat f : DatasetFormat.values()) {
      out.printf("  %-18s %s%n", f.cliName(), f.description());
    }
    out.println();
    out.println("Attacks (adversarial transforms for the OOD set):");
    for (Attack a : Attacks.all()) {
      out.printf("  %-20s %s%n", a.name(), a.description());
    }
    out.flush();
    return 0;
  }
}
