package refusallens.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.datasets.DatasetsJson;
import refusallens.datasets.bundle.BundleManifest;
import refusallens.datasets.bundle.DatasetBundle;
import refusallens.datasets.generate.GeneratorOptions;

/** {@code datasets make}: writes the standard built-in bundle, reproducible byte for byte by seed. */
@Command(
    name = "make",
    mixinStandardHelpOptions = true,
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

  @Option(names = "--val", defaultValue = "0.15", description = "Validation share (default ${DEFAULT-VALUE}).")
  double val;

  @Option(names = "--test", defaultValue = "0.15", description = "Test share (default ${DEFAULT-VALUE}).")
  double test;

  @Option(names = "--instructions", defaultValue = "500", description = "Plain instructions to make (default ${DEFAULT-VALUE}).")
  int instructions;

  @Option(names = "--json", description = "Print the manifest as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " exists and is not a directory");
    }
    GeneratorOptions options = new GeneratorOptions(seed, n, val, test, instructions);
    BundleManifest m = DatasetBundle.make(options, out);
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(DatasetsJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(m));
    } else {
      w.println("wrote " + out + " (seed " + seed + "):");
      m.counts().forEach((f, c) -> w.printf("  %-22s %6d%n", f, c));
    }
    w.flush();
    return 0;
  }
}
