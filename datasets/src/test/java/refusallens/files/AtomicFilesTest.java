package refusallens.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one atomic writer: the target appears whole, a failed write leaves the old file and no temp file. */
class AtomicFilesTest {
  @Test
  void writesWholeFilesAndLeavesNoTempFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("sub/out.json");
    AtomicFiles.writeJson(f, Map.of("d_in", 4));
    assertEquals("{\n  \"d_in\" : 4\n}\n", Files.readString(f));
    assertEquals(List.of(f), Files.list(f.getParent()).toList());
  }

  @Test
  void aFailedWriteKeepsTheOldFileAndNamesTheTarget(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("out.txt");
    AtomicFiles.writeString(f, "old");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeWith(f, tmp -> {
      Files.writeString(tmp, "half");
      throw new IOException("disk full");
    }));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("disk full"), e.getMessage());
    assertEquals("old", Files.readString(f));
    assertEquals(List.of(f), Files.list(dir).toList());
  }
}
