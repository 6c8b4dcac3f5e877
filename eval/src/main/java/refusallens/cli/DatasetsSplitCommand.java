package refusallens.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import refusallens.datasets.DatasetsJson;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.datasets.attack.Attack;
import refusallens.datasets.attack.Attacks;
import refusallens.datasets.bundle.BundleManifest;
import refusallens.datasets.bundle.DatasetBundle;
import refusallens.datasets.load.DatasetFormat;
import refusallens.datasets.load.LoadResult;
import refusallens.datasets.split.SplitOptions;
import refusallens.core.output.OutputDir;

/** {@code datasets split FILE --out DIR}: stratified, de-duplicated train/val/test (+ OOD) of a prompt set. */
@Command(
    name = "split",
    description = "Split a prompt set into train/val/test (stratified by label and category, de-duplicated) "
        + "and write adversarial variants of the test prompts as ood.jsonl.")
public final class DatasetsSplitCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "Prompt JSONL (or any format with --format).")
  Path file;

  @Option(names = "--format", description = "Read FILE in this import format instead of prompt JSONL.")
  String format;

  @CommandLine.Mixin DatasetsImportCommand.LoadFlags flags;

  @Option(names = "--out", required = true, description = "Output directory.")
  Path out;

  @Option(names = "--seed", defaultValue = "1234", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Mixin SplitSharesOptions shares;

  @Option(
      names = "--attacks",
      split = ",",
      description = "Attacks for ood.jsonl (default: all; 'none' for no OOD file).")
  List<String> attacks;

  @CommandLine.Mixin JsonOption jsonOption;

  @CommandLine.Mixin ForceOption forceOption;

  @Override
  public Integer call() throws Exception {
    List<String> files = DatasetsMakeCommand.bundleFiles(false);
    OutputDir dir = OutputDir.open(out, "--out", DatasetsMakeCommand.bundleKind("datasets split", files), forceOption.force, files);
    List<Prompt> prompts;
    if (format == null) {
      prompts = PromptJsonl.read(file);
    } else {
      LoadResult r = DatasetFormat.byName(format).load(file, flags.options());
      r.printNotes(spec.commandLine().getErr());
      prompts = r.prompts();
    }
    List<Attack> chosen = new ArrayList<>();
    if (attacks == null) {
      chosen.addAll(Attacks.all());
    } else if (!(attacks.size() == 1 && attacks.get(0).equals("none"))) {
      for (String a : attacks) {
        chosen.add(Attacks.byName(a));
      }
    }
    String[] owned = files.toArray(String[]::new);
    dir.claim(owned);
    BundleManifest m =
        DatasetBundle.split(prompts, new SplitOptions(seed, shares.val, shares.test), chosen, out, file.toString());
    dir.commit(owned);
    if (m.duplicatesRemoved() > 0) {
      spec.commandLine().getErr().println(
          "warning: " + file + ": removed " + m.duplicatesRemoved() + " duplicate prompt(s) (same normalised text)");
    }
    PrintWriter w = spec.commandLine().getOut();
    if (jsonOption.json) {
      CliJson.print(w, m);
    } else {
      w.println("wrote " + out + " (seed " + seed + "):");
      m.counts().forEach((f, c) -> w.printf("  %-12s %6d%n", f, c));
    }
    w.flush();
    return 0;
  }
}
