package refusallens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code refusal-lens} command line: one entry point, one subcommand per task. */
@Command(
    name = "refusal-lens",
    mixinStandardHelpOptions = true,
    versionProvider = RefusalLens.Version.class,
    description = "Find, test and use the SAE features through which chat models refuse harmful requests.",
    subcommands = {
      CommandLine.HelpCommand.class,
      BenchCommand.class,
      InspectCommand.class,
      DatasetsCommand.class,
      ProbesCommand.class,
      SaeCommand.class,
      FeaturesCommand.class,
      StudyCommand.class,
      RunWithCacheCommand.class,
      SynthModelCommand.class,
      ServeCommand.class,
      LoadtestCommand.class,
      ExtractCommand.class,
      OrganismCommand.class,
      EvalCommand.class,
    })
public final class RefusalLens implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The configured picocli command line (tests call it in-process). */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new RefusalLens());
    cl.setExecutionExceptionHandler(new CliErrors());
    return cl;
  }

  /** Reports the product version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RefusalLens.class.getPackage().getImplementationVersion();
      return new String[] {"refusal-lens " + (v == null ? "dev" : v)};
    }
  }
}
