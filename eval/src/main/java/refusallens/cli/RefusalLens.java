package refusallens.cli;

import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code refusal-lens} command line: one entry point, one subcommand per task. */
@Command(
    name = "refusal-lens",
    mixinStandardHelpOptions = true,
    // Inherited: every subcommand takes --help and --version without declaring them again.
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = RefusalLens.Version.class,
    description = "Find, test and use the SAE features through which chat models refuse harmful requests.",
    subcommands = {
      CommandLine.HelpCommand.class,
      InspectCommand.class,
      DatasetsCommand.class,
      ProbesCommand.class,
      SaeCommand.class,
      FeaturesCommand.class,
      StudyCommand.class,
      RunWithCacheCommand.class,
      ServeCommand.class,
      ExtractCommand.class,
      OrganismCommand.class,
      EvalCommand.class,
      DevCommand.class,
    })
public final class RefusalLens implements Runnable {
  /** The option every command takes (inherited from this root command). */
  static final String VERBOSE = "--verbose";
  /** Environment variable with the effect of {@code --verbose} (value {@code 1}). */
  static final String ENV_VERBOSE = "REFUSAL_LENS_VERBOSE";
  /** slf4j-simple's level key: a system property overrides simplelogger.properties (error: libraries stay quiet). */
  private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
  /** What SameDiff prints (on System.out, which gradient code routes to stderr) for each op of a backward graph. */
  static final String SAMEDIFF_CHATTER = "Added differentiated op";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * {@code --verbose}, accepted by every command: stack traces of errors (see {@link CliErrors}) and the
   * libraries' info-level log lines on stderr. Set during parsing, before a command loads ND4J and its loggers.
   */
  @CommandLine.Option(names = VERBOSE, scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors and the libraries' log messages (or set " + ENV_VERBOSE + "=1).")
  void setVerbose(boolean verbose) {
    if (verbose) {
      System.setProperty(LOG_LEVEL, "info");
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    if ("1".equals(System.getenv(ENV_VERBOSE))) {
      System.setProperty(LOG_LEVEL, "info");
    }
    System.exit(execute(newCommandLine(), args));
  }

  /**
   * Runs {@code cl} with {@code args}; an {@link OutOfMemoryError}, which picocli passes through (it is not an
   * Exception), becomes an {@code error:} line that says which heap to set, and exit code 1.
   */
  static int execute(CommandLine cl, String[] args) {
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      return CliErrors.outOfMemory(e, CliErrors.verbose(cl.getParseResult()), System.err);
    } finally {
      cl.getOut().flush();
      cl.getErr().flush();
    }
  }

  /** The configured picocli command line (tests call it in-process). */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new RefusalLens());
    // 'bench', 'loadtest' and 'synth-model' moved under 'dev'; the old names keep working for scripts, unlisted
    for (Class<?> legacy : DevCommand.LEGACY_TOP_LEVEL) {
      CommandLine sub = new CommandLine(legacy);
      sub.getCommandSpec().usageMessage().hidden(true);
      cl.addSubcommand(sub);
    }
    // every command prints its results through these (spec.commandLine().getOut()), never System.out directly
    cl.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), true));
    cl.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true));
    cl.setExecutionExceptionHandler(new CliErrors());
    cl.setExecutionStrategy(RefusalLens::quietly);
    return cl;
  }

  /**
   * Runs the parsed command with SameDiff's per-op lines dropped from stderr unless {@code --verbose}: a study
   * prints over a thousand of them, which bury the progress and warnings.
   */
  private static int quietly(CommandLine.ParseResult parseResult) {
    if (CliErrors.verbose(parseResult)) {
      return new CommandLine.RunLast().execute(parseResult);
    }
    PrintStream err = System.err;
    PrintStream filtered = new PrintStream(new LineFilter(err, SAMEDIFF_CHATTER), true);
    System.setErr(filtered);
    try {
      return new CommandLine.RunLast().execute(parseResult);
    } finally {
      filtered.close();
      System.setErr(err);
    }
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
