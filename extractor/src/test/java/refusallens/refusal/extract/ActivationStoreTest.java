package refusallens.refusal.extract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationStoreTest {
  static final int D = 6;
  static final List<Integer> FEATURES = List.of(11, 3, 40);

  static StoreHeader header(ShardSlice slice) {
    return new StoreHeader(
        new Identity("toy-model", "aa11"),
        new Identity("toy-sae", "bb22"),
        new Identity("toy.jsonl", "cc33"),
        List.of(
            StoreTensor.residPost(2, PositionRule.LAST, D),
            StoreTensor.residPost(2, PositionRule.PROMPT_MEAN, D),
            StoreTensor.saeFeatures(2, PositionRule.LAST, FEATURES)),
        7,
        slice,
        Map.of("refusal-lens", "test"));
  }

  /** Value of row r, column j of a tensor: distinct everywhere, so misplaced rows are caught. */
  static float value(int r, int j, int t) {
    return r * 100 + j + t * 0.25f;
  }

  static StoreRow row(int r) {
    return new StoreRow(
        "p" + r, r % 2 == 0 ? "harmful" : "harmless", "cat" + (r % 3), r % 4 == 0 ? "gcg" : null,
        r % 4 == 0 ? "base" + r : null, r % 4 == 0 ? Boolean.TRUE : null);
  }

  static void appendRows(ActivationStoreWriter w, int from, int to) {
    List<StoreRow> rows = new ArrayList<>();
    Map<String, float[][]> tensors = new LinkedHashMap<>();
    List<StoreTensor> ts = w.manifest().header().tensors();
    for (int t = 0; t < ts.size(); t++) {
      float[][] m = new float[to - from][ts.get(t).width()];
      for (int r = from; r < to; r++) for (int j = 0; j < m[0].length; j++) m[r - from][j] = value(r, j, t);
      tensors.put(ts.get(t).name(), m);
    }
    for (int r = from; r < to; r++) rows.add(row(r));
    w.append(rows, tensors);
  }

  static void assertRowsComplete(ActivationStore s, int n) {
    assertEquals(n, s.size());
    for (int r = 0; r < n; r++) assertEquals(row(r), s.rows().get(r));
    int[] all = java.util.stream.IntStream.range(0, n).toArray();
    List<StoreTensor> ts = s.header().tensors();
    for (int t = 0; t < ts.size(); t++) {
      double[][] m = s.matrix(ts.get(t).name(), all);
      for (int r = 0; r < n; r++) for (int j = 0; j < m[r].length; j++) assertEquals(value(r, j, t), m[r][j], 0);
    }
  }

  @Test
  void writeReadRoundTripAcrossShards(@TempDir Path dir) throws Exception {
    ActivationStoreWriter w = ActivationStoreWriter.open(dir, header(null));
    appendRows(w, 0, 4);
    appendRows(w, 4, 9);
    appendRows(w, 9, 10);
    ActivationStore s = ActivationStore.open(dir);
    assertRowsComplete(s, 10);
    assertEquals(3, s.manifest().shards().size());
    // selected rows (across shards, out of order) and columns
    double[][] sub = s.matrix("resid_post.L2.last", new int[] {9, 0, 5}, new int[] {4, 1});
    assertArrayEquals(new double[] {value(9, 4, 0), value(9, 1, 0)}, sub[0], 0);
    assertArrayEquals(new double[] {value(0, 4, 0), value(0, 1, 0)}, sub[1], 0);
    assertArrayEquals(new double[] {value(5, 4, 0), value(5, 1, 0)}, sub[2], 0);
    assertEquals(1, s.tensor("sae_acts.L2.last").orElseThrow().columnOf(3));
    String json = Files.readString(dir.resolve("manifest.json"));
    assertTrue(json.contains("\"schemaVersion\" : 1") && json.contains("\"layers\" : [ 2 ]"), json);
    var e = assertThrows(IllegalArgumentException.class, () -> s.matrix("resid_post.L9.last", new int[] {0}));
    assertTrue(e.getMessage().contains("has no tensor 'resid_post.L9.last'"));
  }

  @Test
  void interruptedRunResumesWithoutDuplicatingOrLosingRows(@TempDir Path dir) throws Exception {
    ActivationStoreWriter w = ActivationStoreWriter.open(dir, header(null));
    appendRows(w, 0, 3);
    appendRows(w, 3, 6);
    // A crash: a half-written temp shard, and a renamed shard whose manifest update never happened.
    Files.write(dir.resolve(".shard-00002.safetensors.123.tmp"), new byte[] {1, 2, 3});
    Files.copy(dir.resolve("shard-00001.safetensors"), dir.resolve("shard-00002.safetensors"));

    ActivationStoreWriter resumed = ActivationStoreWriter.open(dir, header(null));
    assertFalse(Files.exists(dir.resolve(".shard-00002.safetensors.123.tmp")));
    assertFalse(Files.exists(dir.resolve("shard-00002.safetensors")));
    List<String> planned = java.util.stream.IntStream.range(0, 10).mapToObj(r -> "p" + r).toList();
    int skip = resumed.resumeFrom(planned);
    assertEquals(6, skip);
    appendRows(resumed, skip, 10);
    assertRowsComplete(ActivationStore.open(dir), 10);

    // a different dataset order, a different model, or a repeated id is refused
    List<String> other = new ArrayList<>(planned);
    other.set(1, "zzz");
    assertThrows(IllegalArgumentException.class, () -> resumed.resumeFrom(other));
    StoreHeader h = header(null);
    StoreHeader otherModel =
        new StoreHeader(new Identity("m2", "ff"), h.sae(), h.dataset(), h.tensors(), h.seed(), null, h.versions());
    var e = assertThrows(IllegalArgumentException.class, () -> ActivationStoreWriter.open(dir, otherModel));
    assertTrue(e.getMessage().contains("different model"));
    assertThrows(IllegalArgumentException.class, () -> appendRows(resumed, 9, 10));
  }

  @Test
  void slicesAreContiguousAndMergeRestoresTheDatasetOrder(@TempDir Path tmp) {
    int n = 10;
    List<Path> dirs = new ArrayList<>();
    int covered = 0;
    for (int i = 2; i >= 0; i--) { // written out of order on purpose
      ShardSlice s = ShardSlice.parse(i + "/3");
      Path d = tmp.resolve("slice" + i);
      ActivationStoreWriter w = ActivationStoreWriter.open(d, header(s));
      if (s.end(n) > s.start(n)) appendRows(w, s.start(n), s.end(n));
      covered += s.end(n) - s.start(n);
      dirs.add(d);
    }
    assertEquals(n, covered);
    ActivationStore merged = ActivationStoreMerge.merge(dirs, tmp.resolve("merged"));
    assertRowsComplete(merged, n);
    assertEquals(null, merged.header().slice());
    // an incomplete set of slices is refused
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ActivationStoreMerge.merge(dirs.subList(0, 2), tmp.resolve("bad")));
    assertTrue(e.getMessage().contains("slices of 3"));
  }

  @Test
  void shardFlagParsingIsStrict() {
    assertEquals(new ShardSlice(1, 4), ShardSlice.parse("1/4"));
    assertEquals(List.of(2, 3), ShardSlice.parse("1/3").select(List.of(0, 1, 2, 3, 4, 5, 6)));
    assertThrows(IllegalArgumentException.class, () -> ShardSlice.parse("4/4"));
    assertThrows(IllegalArgumentException.class, () -> ShardSlice.parse("x"));
  }
}
