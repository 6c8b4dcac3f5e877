package refusallens.refusal.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static refusallens.refusal.extract.ActivationStoreTest.appendRows;
import static refusallens.refusal.extract.ActivationStoreTest.assertRowsComplete;
import static refusallens.refusal.extract.ActivationStoreTest.header;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming an activation store trusts no shard blindly: each is checked against the SHA-256 the manifest
 * recorded, a corrupt or truncated one is recomputed (with a message), and a manifest entry that points
 * outside its store is an error naming the entry.
 */
class ActivationStoreIntegrityTest {
  /** Writes rows 0-3, 4-7 and 8-9 as three shards. */
  private static void threeShards(Path dir) {
    ActivationStoreWriter w = ActivationStoreWriter.open(dir, header(null));
    appendRows(w, 0, 4);
    appendRows(w, 4, 8);
    appendRows(w, 8, 10);
  }

  /** As an extraction resumes: the rows after the stored ones, in the same shard sizes. */
  private static void resume(ActivationStoreWriter w) {
    int[][] shards = {{0, 4}, {4, 8}, {8, 10}};
    for (int[] s : shards) {
      if (s[0] >= w.completedRows()) {
        appendRows(w, s[0], s[1]);
      }
    }
  }

  @Test
  void theManifestRecordsEachShardsSha256() {
    Path dir = tmp.resolve("store");
    threeShards(dir);
    for (StoreManifest.StoreShard s : ActivationStore.open(dir).manifest().shards()) {
      assertNotNull(s.sha256(), s.file());
      assertEquals(refusallens.core.io.ContentHash.ofFile(dir.resolve(s.file())), s.sha256());
    }
  }

  @Test
  void aCorruptShardIsRecomputedOnResumeAndSaysSo() throws Exception {
    Path dir = tmp.resolve("store");
    threeShards(dir);
    Path shard = dir.resolve("shard-00001.safetensors");
    byte[] bytes = Files.readAllBytes(shard);
    for (int i = bytes.length - 16; i < bytes.length; i++) {
      bytes[i] ^= (byte) 0x5a; // the tensor data, so the file still parses: only the hash can tell
    }
    Files.write(shard, bytes);

    ActivationStoreWriter w = ActivationStoreWriter.open(dir, header(null));
    assertEquals(4, w.completedRows(), "the bad shard and the one after it are dropped");
    assertEquals(1, w.repairs().size());
    String msg = w.repairs().get(0);
    assertTrue(msg.contains("shard-00001.safetensors") && msg.contains("SHA-256") && msg.contains("recomputing"), msg);
    resume(w);
    assertRowsComplete(ActivationStore.open(dir), 10);
    assertTrue(ActivationStoreWriter.open(dir, header(null)).repairs().isEmpty(), "the recomputed store is intact");
  }

  @Test
  void aTruncatedShardIsRecovered() throws Exception {
    Path dir = tmp.resolve("store");
    threeShards(dir);
    Path shard = dir.resolve("shard-00002.safetensors");
    byte[] bytes = Files.readAllBytes(shard);
    Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    ActivationStoreWriter w = ActivationStoreWriter.open(dir, header(null));
    assertEquals(8, w.completedRows());
    assertTrue(w.repairs().get(0).contains("shard-00002.safetensors"), w.repairs().toString());
    resume(w);
    assertRowsComplete(ActivationStore.open(dir), 10);
  }

  @Test
  void aManifestEntryOutsideItsStoreIsAnErrorNamingIt() throws Exception {
    for (String entry : List.of("../other/shard-00000.safetensors", tmp.resolve("elsewhere.safetensors").toString())) {
      Path dir = tmp.resolve("store" + entry.length());
      threeShards(dir);
      Path manifest = dir.resolve(StoreFiles.MANIFEST);
      String json = Files.readString(manifest);
      Files.writeString(manifest, json.replace("\"shard-00000.safetensors\"",
          "\"" + entry.replace("\\", "\\\\") + "\""));
      IllegalArgumentException read = assertThrows(IllegalArgumentException.class, () -> ActivationStore.open(dir));
      assertTrue(read.getMessage().contains(entry) && read.getMessage().contains("outside its store"), read.getMessage());
      IllegalArgumentException resume = assertThrows(IllegalArgumentException.class,
          () -> ActivationStoreWriter.open(dir, header(null)));
      assertTrue(resume.getMessage().contains(entry), resume.getMessage());
    }
  }

  @Test
  void aManifestFromBeforeShardHashesIsStillReadAndResumed() throws Exception {
    Path dir = tmp.resolve("old");
    threeShards(dir);
    Path manifest = dir.resolve(StoreFiles.MANIFEST);
    Files.writeString(manifest, Files.readString(manifest).replaceAll(",\\s*\"sha256\"\\s*:\\s*\"[0-9a-f]{64}\"", ""));
    assertTrue(ActivationStore.open(dir).manifest().shards().stream().allMatch(s -> s.sha256() == null));
    ActivationStoreWriter w = ActivationStoreWriter.open(dir, header(null));
    assertTrue(w.repairs().isEmpty());
    assertEquals(10, w.completedRows());
  }

  @TempDir Path tmp;
}
