package refusallens.cli;

import picocli.CommandLine;

/**
 * Prints a failed command's message on stderr without a stack trace (unless {@code --verbose} or
 * {@code REFUSAL_LENS_VERBOSE=1}), and exits 1; argument errors keep picocli's exit code 2.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    boolean verbose =
        "1".equals(System.getenv("REFUSAL_LENS_VERBOSE"))
            || parseResult.originalArgs().contains("--verbose");
    if (verbose) {
      ex.printStackTrace(System.err);
    }
    String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    System.err.println("error: " + msg);
    return 1;
  }
}
