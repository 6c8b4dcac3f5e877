package refusallens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code refusal-lens datasets ...}: list, make, import, show and split prompt sets. */
@Command(
    name = "datasets",
    description = "Prompt sets: the built-in generator, public-dataset import, inspection and splits.",
    subcommands = {
      DatasetsListCommand.class,
      DatasetsMakeCommand.class,
      DatasetsImportCommand.class,
      DatasetsShowCommand.class,
      DatasetsSplitCommand.class,
    })
public final class DatasetsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }
}
