package refusallens.cli;

import java.io.PrintStream;
import picocli.CommandLine;

/**
 * Prints a failed command's message on stderr without a stack trace (unless {@code --verbose} or
 * {@code REFUSAL_LENS_VERBOSE=1}), and exits 1; argument errors keep picocli's exit code 2. An out-of-memory
 * error says which heap to set.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
    boolean verbose = verbose(parseResult);
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError oom) { // e.g. thrown in a worker thread and rethrown wrapped
        if (verbose) {
          ex.printStackTrace(System.err);
        }
        return outOfMemory(oom, false, System.err);
      }
    }
    if (verbose) {
      ex.printStackTrace(System.err);
    }
    String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    System.err.println("error: " + msg);
    return 1;
  }

  /** Whether {@code --verbose} was given to any command on the line, or {@code REFUSAL_LENS_VERBOSE=1}. */
  static boolean verbose(CommandLine.ParseResult parseResult) {
    if ("1".equals(System.getenv(RefusalLens.ENV_VERBOSE))) {
      return true;
    }
    for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(RefusalLens.VERBOSE)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Prints {@code error: out of memory ...} naming the heap in use and a larger one to set through the
   * launcher's {@code REFUSAL_LENS_JAVA_OPTS}; returns exit code 1.
   */
  static int outOfMemory(OutOfMemoryError e, boolean verbose, PrintStream err) {
    if (verbose) {
      e.printStackTrace(err);
    }
    long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
    long suggestGiB = Math.max(16, 2 * ((maxMiB + 1023) >> 10));
    String what = e.getMessage() == null ? "" : e.getMessage();
    String line = "error: out of memory (" + (what.isEmpty() ? "OutOfMemoryError" : what) + "; max heap " + maxMiB
        + " MiB): set a larger heap, e.g. REFUSAL_LENS_JAVA_OPTS=-Xmx" + suggestGiB + "g";
    if (what.contains("Physical") || what.contains("javacpp") || what.contains("Pointer")) {
      // ND4J's arrays live off-heap, limited by JavaCPP (by default twice -Xmx)
      line += " (ND4J's off-heap memory: also -Dorg.bytedeco.javacpp.maxbytes=" + 2 * suggestGiB + "g"
          + " -Dorg.bytedeco.javacpp.maxphysicalbytes=" + 3 * suggestGiB + "g)";
    }
    err.println(line);
    err.flush();
    return 1;
  }
}
