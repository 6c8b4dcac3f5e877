package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Issue 19: {@code --verbose} on every command; an out-of-memory error is an {@code error:} line naming the heap. */
class CliErrorsTest {
  @TempDir Path tmp;

  @Test
  void everyCommandAcceptsVerbose() {
    List<String> missing = new ArrayList<>();
    List<CommandLine> todo = new ArrayList<>(List.of(RefusalLens.newCommandLine()));
    int seen = 0;
    while (!todo.isEmpty()) {
      CommandLine cl = todo.remove(todo.size() - 1);
      seen++;
      if (cl.getCommandSpec().findOption("--verbose") == null) {
        missing.add(cl.getCommandSpec().qualifiedName());
      }
      todo.addAll(cl.getSubcommands().values());
    }
    assertTrue(seen > 20, "walked " + seen + " commands");
    assertEquals(List.of(), missing, "commands without --verbose");
  }

  @Test
  void verbosePrintsTheStackTraceOnAnyCommand() {
    String missing = tmp.resolve("missing").toString();
    CliRun quiet = CliRun.of("inspect", "--model", missing);
    assertEquals(1, quiet.code());
    assertTrue(quiet.err().contains("error: --model " + missing + ": not a directory"), quiet.err());
    assertFalse(quiet.err().contains("\tat "), quiet.err());
    String logLevel = "org.slf4j.simpleLogger.defaultLogLevel";
    String before = System.getProperty(logLevel);
    try {
      for (String[] args : List.of(new String[] {"inspect", "--model", missing, "--verbose"},
          new String[] {"--verbose", "inspect", missing})) {
        System.clearProperty(logLevel);
        CliRun loud = CliRun.of(args);
        assertEquals(1, loud.code(), loud.err());
        assertTrue(loud.err().contains("\tat refusallens.cli.InspectCommand"), loud.err());
        assertTrue(loud.err().contains("error: --model"), loud.err());
        assertEquals("info", System.getProperty(logLevel), "library logging turned up to info");
      }
    } finally {
      if (before == null) {
        System.clearProperty(logLevel);
      } else {
        System.setProperty(logLevel, before);
      }
    }
  }

  @Command(name = "oom")
  static final class OomCommand implements Callable<Integer> {
    @CommandLine.Option(names = "--wrapped")
    boolean wrapped;

    @Override
    public Integer call() {
      OutOfMemoryError e = new OutOfMemoryError("Java heap space");
      if (wrapped) {
        throw new IllegalStateException("worker failed", e);
      }
      throw e;
    }
  }

  @Test
  void outOfMemoryIsAnErrorLineNamingTheHeapToSet() {
    for (String[] args : List.of(new String[] {"oom"}, new String[] {"oom", "--wrapped"})) {
      PrintStream old = System.err;
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code;
      try {
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        CommandLine cl = RefusalLens.newCommandLine();
        cl.addSubcommand(new OomCommand());
        code = RefusalLens.execute(cl, args);
      } finally {
        System.setErr(old);
      }
      String text = err.toString(StandardCharsets.UTF_8);
      assertEquals(1, code, text);
      assertTrue(text.startsWith("error: out of memory (Java heap space; max heap "), text);
      assertTrue(text.contains("set a larger heap, e.g. REFUSAL_LENS_JAVA_OPTS=-Xmx"), text);
      assertFalse(text.contains("\tat "), "no stack trace without --verbose: " + text);
    }
  }
}
