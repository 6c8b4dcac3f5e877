package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.core.output.OutputDir;

/**
 * Every command that writes a directory refuses a non-empty --out it did not write, touching nothing there;
 * --force writes beside foreign files and keeps them; a command's own directory (also one from before
 * ownership records) is reused.
 */
class OutputOwnershipCommandTest {
  private static final Path FIXTURE = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");

  @TempDir Path tmp;

  /** Each command that writes a directory, with the arguments it needs besides --out. */
  static Stream<Arguments> commands() {
    return Stream.of(
        Arguments.of(List.of("study", "--quick")),
        Arguments.of(List.of("extract", "--data", "DATA", "--model", FIXTURE.resolve("model").toString())),
        Arguments.of(List.of("extract", "merge", "STORE", "STORE")),
        Arguments.of(List.of("organism", "train", "--budget", "tiny")),
        Arguments.of(List.of("probes", "compare", "--extract", "STORE", "--views", "raw:best")),
        Arguments.of(List.of("eval", "clamp")),
        Arguments.of(List.of("eval", "compare")),
        Arguments.of(List.of("eval", "suppression")),
        Arguments.of(List.of("eval", "suffix")),
        Arguments.of(List.of("eval", "transfer")),
        Arguments.of(List.of("datasets", "make", "--n", "40", "--instructions", "10")),
        Arguments.of(List.of("datasets", "split", "DATA")),
        Arguments.of(List.of("synth-model", "--shape", "tiny")));
  }

  private String[] args(List<String> command, Path out, String... more) throws Exception {
    Path data = tmp.resolve("p.jsonl");
    if (!Files.exists(data)) {
      PromptJsonl.write(data, List.of(Prompt.of("a", "How do I bake bread?", Label.HARMLESS, "food", "t"),
          Prompt.of("b", "How do I pick a lock?", Label.HARMFUL, "crime", "t")));
    }
    List<String> a = new ArrayList<>();
    for (String s : command) {
      a.add(s.equals("DATA") ? data.toString() : s.equals("STORE") ? tmp.resolve("no-store").toString() : s);
    }
    a.add("--out");
    a.add(out.toString());
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void aForeignNonEmptyOutIsRefusedAndLeftAlone(List<String> command) throws Exception {
    Path out = tmp.resolve("X");
    Files.createDirectories(out.resolve("probes"));
    Files.writeString(out.resolve("probes/important.txt"), "t");
    Files.writeString(out.resolve("report.json"), "{\"mine\": true}");

    CliRun run = CliRun.of(args(command, out));
    assertNotEquals(0, run.code(), run.out());
    assertTrue(run.err().contains(out.toString()) && run.err().contains("not empty") && run.err().contains("probes/"),
        "the error names the directory and what it holds: " + run.err());
    assertEquals("t", Files.readString(out.resolve("probes/important.txt")));
    assertEquals("{\"mine\": true}", Files.readString(out.resolve("report.json")));
    try (Stream<Path> all = Files.walk(out)) {
      assertEquals(4, all.count(), "nothing added: X, X/probes and the two files");
    }
  }

  @Test
  void studyWithForceRefusesBeforeAnyWorkWhenAForeignFileSitsWhereItWrites() throws Exception {
    Path out = tmp.resolve("X");
    Files.createDirectories(out.resolve("probes"));
    Files.writeString(out.resolve("probes/important.txt"), "t");
    CliRun run = CliRun.of("study", "--quick", "--force", "--out", out.toString());
    assertNotEquals(0, run.code());
    assertTrue(run.err().contains("probes/important.txt"), run.err());
    assertEquals("t", Files.readString(out.resolve("probes/important.txt")));
    assertTrue(Files.notExists(out.resolve("bundle")) && Files.notExists(out.resolve("steps")), "no step ran");
  }

  @Test
  void forceWritesBesideForeignFilesAndKeepsThem() throws Exception {
    Path out = tmp.resolve("X");
    Files.createDirectories(out.resolve("notes"));
    Files.writeString(out.resolve("notes/important.txt"), "t");
    Files.writeString(out.resolve("README"), "mine");
    String[] make = {"datasets", "make", "--n", "40", "--instructions", "10", "--out", out.toString()};
    assertNotEquals(0, CliRun.of(make).code(), "refused without --force");

    List<String> forced = new ArrayList<>(List.of(make));
    forced.add("--force");
    CliRun.ok(forced.toArray(String[]::new));
    assertTrue(Files.isRegularFile(out.resolve("harmful_train.jsonl")));
    CliRun.ok(make); // now a datasets-make directory: rerun without --force
    assertEquals("t", Files.readString(out.resolve("notes/important.txt")));
    assertEquals("mine", Files.readString(out.resolve("README")));

    // a foreign file where the bundle writes is never overwritten, even with --force
    Path y = tmp.resolve("Y");
    Files.createDirectories(y);
    Files.writeString(y.resolve("harmful_train.jsonl"), "mine\n");
    List<String> over = new ArrayList<>(List.of("datasets", "make", "--n", "40", "--instructions", "10", "--force", "--out", y.toString()));
    CliRun refused = CliRun.of(over.toArray(String[]::new));
    assertNotEquals(0, refused.code());
    assertTrue(refused.err().contains("harmful_train.jsonl"), refused.err());
    assertEquals("mine\n", Files.readString(y.resolve("harmful_train.jsonl")));
  }

  @Test
  void aDirectoryFromBeforeOwnershipRecordsIsStillOurs() throws Exception {
    Path out = tmp.resolve("old");
    String[] make = {"datasets", "make", "--n", "40", "--instructions", "10", "--out", out.toString()};
    CliRun.ok(make);
    Files.delete(out.resolve(OutputDir.RECORD)); // as an older version left it
    CliRun.ok(make);
    CliRun other = CliRun.of("eval", "clamp", "--out", out.toString());
    assertNotEquals(0, other.code(), "a bundle directory is not an eval clamp's");
    assertTrue(other.err().contains("datasets make"), other.err());
  }
}
