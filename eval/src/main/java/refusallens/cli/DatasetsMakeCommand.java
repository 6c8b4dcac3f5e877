package refusallens.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.datasets.DatasetsJson;
import refusallens.datasets.Label;
import refusallens.datasets.bundle.BundleManifest;
import refusallens.datasets.bundle.DatasetBundle;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.split.Split;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;

/** {@code datasets make}: writes the standard built-in bundle, reproducible byte for byte by seed. */
@Command(
    name = "make",
    description = "Write the built-in bundle: harmful/harmless train/val/test, the OOD set, instructions, "
        + "and manifest.json. The same seed gives the same bytes.")
public final class DatasetsMakeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, description = "Output directory.")
  Path out;

  @Option(names = "--seed", defaultValue = "1234", description = "Seed of every random choice (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--n", defaultValue = "2000", description = "Harmful prompts over all splits; as many harmless (default ${DEFAULT-VALUE}).")
  int n;

  @CommandLine.Mixin SplitSharesOptions shares;

  @Option(names = "--instructions", defaultValue = "500", description = "Plain instructions to make (default ${DEFAULT-VALUE}).")
  int instructions;

  @CommandLine.Mixin JsonOption jsonOption;

  @CommandLine.Mixin ForceOption forceOption;

  @Override
  public Integer call() throws Exception {
    GeneratorOptions options = new GeneratorOptions(seed, n, shares.val, shares.test, instructions);
    List<String> files = bundleFiles(true);
    OutputDir dir = OutputDir.open(out, "--out", bundleKind("datasets make", files), forceOption.force, files);
    String[] owned = files.toArray(String[]::new);
    dir.claim(owned);
    BundleManifest m = DatasetBundle.make(options, out);
    dir.commit(owned);
    PrintWriter w = spec.commandLine().getOut();
    if (jsonOption.json) {
      CliJson.print(w, m);
    } else {
      w.println("wrote " + out + " (seed " + seed + "):");
      m.counts().forEach((f, c) -> w.printf("  %-22s %6d%n", f, c));
    }
    w.flush();
    return 0;
  }

  /**
   * The files of a bundle: {@code harmful_/harmless_{train,val,test}.jsonl} ({@code builtin}) or
   * {@code {train,val,test}.jsonl}, then the OOD set, the instructions (builtin) and the manifest.
   */
  static List<String> bundleFiles(boolean builtin) {
    List<String> files = new ArrayList<>();
    for (Split s : Split.values()) {
      if (builtin) {
        for (Label l : Label.values()) {
          files.add(DatasetBundle.fileName(l, s));
        }
      } else {
        files.add(s.wireName() + ".jsonl");
      }
    }
    files.add(DatasetBundle.OOD_FILE);
    if (builtin) {
      files.add(DatasetBundle.INSTRUCTIONS_FILE);
    }
    files.add(DatasetBundle.MANIFEST_FILE);
    return files;
  }

  /** The output kind of a bundle command; a directory without an ownership record is one when it has a bundle manifest. */
  static OutputKind bundleKind(String command, List<String> files) {
    return OutputKind.recognisedBy(command, DatasetBundle.MANIFEST_FILE, BundleManifest.KIND, files);
  }
}
