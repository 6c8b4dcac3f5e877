package refusallens.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * Runs the CLI in-process with stdout and stderr captured (what a user or script would see). Results go through
 * picocli's writers, set here; System.out is never swapped. System.err still is: progress and log lines are
 * written to it.
 */
public record CliRun(int code, String out, String err) {
  /** Runs {@code refusal-lens args...}; picocli's writers and System.err go to the captured streams. */
  public static CliRun of(String... args) {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
      PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
      System.setErr(errStream);
      // System.err swapped before the command line is built, and both writers set on it, so every subcommand writes here
      CommandLine cl = RefusalLens.newCommandLine();
      cl.setOut(new PrintWriter(outStream, true, StandardCharsets.UTF_8));
      cl.setErr(new PrintWriter(errStream, true, StandardCharsets.UTF_8));
      int code = cl.execute(args);
      cl.getOut().flush();
      cl.getErr().flush();
      return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
    }
  }

  /** As {@link #of}, failing the test (with the captured stderr) unless the command exits 0. */
  public static CliRun ok(String... args) {
    CliRun r = of(args);
    if (r.code() != 0) {
      throw new AssertionError("refusal-lens " + String.join(" ", args) + " exited " + r.code() + ": " + r.err());
    }
    return r;
  }
}
