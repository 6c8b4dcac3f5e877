package refusallens.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ownership guard: what a command may overwrite or delete in its output directory, and what it refuses. */
class OutputDirTest {
  private static final List<String> PLANNED = List.of("probes", "report.json");
  private static final OutputKind KIND = OutputKind.recognisedBy("demo", "report.json", "demo-report", PLANNED);

  @TempDir Path tmp;

  /** Writes what the demo command writes: probes/a.json, probes/b.json, report.json. */
  private static void writeOutputs(OutputDir d) throws Exception {
    d.claim("probes", "report.json");
    Files.createDirectories(d.resolve("probes"));
    Files.writeString(d.resolve("probes/a.json"), "a");
    Files.writeString(d.resolve("probes/b.json"), "b");
    Files.writeString(d.resolve("report.json"), "{\"kind\":\"demo-report\"}");
    d.commit("probes", "report.json");
  }

  @Test
  void aNewOrEmptyDirectoryIsAccepted() throws Exception {
    OutputDir fresh = OutputDir.open(tmp.resolve("new/out"), "--out", KIND, false, PLANNED);
    assertTrue(Files.isRegularFile(fresh.resolve(OutputDir.RECORD)));
    Files.createDirectories(tmp.resolve("empty"));
    writeOutputs(OutputDir.open(tmp.resolve("empty"), "--out", KIND, false, PLANNED));
    OutputDir again = OutputDir.open(tmp.resolve("empty"), "--out", KIND, false, PLANNED);
    assertTrue(again.owns("probes/a.json") && again.owns("report.json"));
  }

  @Test
  void aForeignNonEmptyDirectoryIsRefusedNamingItAndWhatItHolds() throws Exception {
    Path out = tmp.resolve("x");
    Files.createDirectories(out.resolve("probes"));
    Files.writeString(out.resolve("probes/important.txt"), "t");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutputDir.open(out, "--out", KIND, false, PLANNED));
    assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("probes/")
        && e.getMessage().contains("--force"), e.getMessage());
    assertFalse(Files.exists(out.resolve(OutputDir.RECORD)), "nothing written into a refused directory");
    assertEquals("t", Files.readString(out.resolve("probes/important.txt")));
  }

  @Test
  void forceWritesBesideForeignFilesButNeverOverThem() throws Exception {
    Path out = tmp.resolve("x");
    Files.createDirectories(out);
    Files.writeString(out.resolve("notes.txt"), "mine");
    OutputDir d = OutputDir.open(out, "--out", KIND, true, PLANNED);
    writeOutputs(d);
    d.delete(".");
    assertEquals("mine", Files.readString(out.resolve("notes.txt")), "a foreign file survives a delete of everything");
    assertFalse(Files.exists(out.resolve("probes")) || Files.exists(out.resolve("report.json")), "our own files are gone");

    Path occupied = tmp.resolve("y");
    Files.createDirectories(occupied.resolve("probes"));
    Files.writeString(occupied.resolve("probes/important.txt"), "t");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutputDir.open(occupied, "--out", KIND, true, PLANNED));
    assertTrue(e.getMessage().contains("probes/important.txt"), e.getMessage());
    assertEquals("t", Files.readString(occupied.resolve("probes/important.txt")));
  }

  @Test
  void aFileDroppedIntoOurOutputLaterIsNotOurs() throws Exception {
    Path out = tmp.resolve("x");
    OutputDir d = OutputDir.open(out, "--out", KIND, false, PLANNED);
    writeOutputs(d);
    Files.writeString(out.resolve("probes/important.txt"), "t");
    assertFalse(d.owns("probes/important.txt"));
    d.delete("probes");
    assertEquals("t", Files.readString(out.resolve("probes/important.txt")));
    assertFalse(Files.exists(out.resolve("probes/a.json")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.claim("probes"));
    assertTrue(e.getMessage().contains("probes/important.txt"), e.getMessage());
    IllegalArgumentException reopen = assertThrows(IllegalArgumentException.class,
        () -> OutputDir.open(out, "--out", KIND, true, PLANNED));
    assertTrue(reopen.getMessage().contains("probes/important.txt"), "refused before any work: " + reopen.getMessage());
  }

  @Test
  void aRunKilledMidWriteStillOwnsWhatItLeft() throws Exception {
    Path out = tmp.resolve("x");
    OutputDir d = OutputDir.open(out, "--out", KIND, false, PLANNED);
    d.claim("probes");
    Files.createDirectories(out.resolve("probes"));
    Files.writeString(out.resolve("probes/half.json"), "half"); // then killed: no commit
    OutputDir resumed = OutputDir.open(out, "--out", KIND, false, PLANNED);
    assertTrue(resumed.owns("probes/half.json"));
    resumed.delete("probes");
    assertFalse(Files.exists(out.resolve("probes")));
  }

  @Test
  void anotherCommandsDirectoryIsRefused() throws Exception {
    Path out = tmp.resolve("x");
    writeOutputs(OutputDir.open(out, "--out", KIND, false, PLANNED));
    OutputKind other = OutputKind.recognisedBy("other", "report.json", "other-report", PLANNED);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutputDir.open(out, "--out", other, true, PLANNED));
    assertTrue(e.getMessage().contains("'refusal-lens demo'"), e.getMessage());
  }

  @Test
  void aDirectoryAnOlderVersionWroteIsAcceptedAsOurs() throws Exception {
    Path out = tmp.resolve("old");
    Files.createDirectories(out.resolve("probes"));
    Files.writeString(out.resolve("probes/a.json"), "a");
    Files.writeString(out.resolve("report.json"), "{\"kind\":\"demo-report\"}");
    Files.writeString(out.resolve("notes.txt"), "mine");
    OutputDir d = OutputDir.open(out, "--out", KIND, false, PLANNED);
    assertTrue(d.owns("probes/a.json") && d.owns("report.json"));
    assertFalse(d.owns("notes.txt"), "only what the old command wrote is adopted");
    d.delete(".");
    assertEquals("mine", Files.readString(out.resolve("notes.txt")));
  }

  @Test
  void outputPathsStayInsideTheDirectory() {
    OutputDir d = OutputDir.open(tmp.resolve("x"), "--out", KIND, false, PLANNED);
    assertThrows(IllegalArgumentException.class, () -> d.claim("../elsewhere"));
    assertThrows(IllegalArgumentException.class, () -> d.claim(tmp.resolve("abs").toString()));
  }
}
