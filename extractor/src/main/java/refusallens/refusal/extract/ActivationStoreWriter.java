package refusallens.refusal.extract;

import refusallens.core.io.ContentHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.io.SafetensorsWriter;

/**
 * Appends shards to an activation store. Each shard is written atomically (temp file + rename) and only
 * then listed in {@code manifest.json} (also replaced atomically), so the manifest always describes
 * complete shards, each with the SHA-256 of its bytes. Reopening a store checks every listed shard against
 * that hash: the first one missing, truncated or altered is dropped from the manifest with every later shard
 * (their rows are written again, and {@link #repairs()} says so). Then it resumes after the last listed shard:
 * temp files and shard files the manifest does not list (a crash between the two renames, or a dropped shard)
 * are deleted, and their rows are written again.
 */
public final class ActivationStoreWriter {
  private final Path dir;
  private StoreManifest manifest;
  private final Set<String> ids = new HashSet<>();
  private final List<String> repairs;

  private ActivationStoreWriter(Path dir, StoreManifest manifest, List<String> repairs) {
    this.dir = dir;
    this.manifest = manifest;
    this.repairs = List.copyOf(repairs);
    for (StoreRow r : manifest.rows()) ids.add(r.id());
  }

  /**
   * Creates the store in {@code dir} or resumes the one there; a store started with a different model,
   * SAE, dataset, tensors, seed or slice is an error.
   */
  public static ActivationStoreWriter open(Path dir, StoreHeader header) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("creating activation store " + dir, e);
    }
    StoreManifest m;
    if (Files.exists(dir.resolve(StoreFiles.MANIFEST))) {
      m = StoreFiles.readManifest(dir);
      if (!m.header().sameContentAs(header)) {
        throw new IllegalArgumentException(
            "activation store " + dir + " was started with a different model, SAE, dataset, tensors, seed or"
                + " --shard; use a new --out directory or the same settings to resume");
      }
    } else {
      m = StoreManifest.empty(header);
      StoreFiles.writeManifest(dir, m);
    }
    List<String> repairs = new ArrayList<>();
    m = verified(dir, m, repairs);
    removeIncomplete(dir, m);
    return new ActivationStoreWriter(dir, m, repairs);
  }

  /**
   * The manifest cut before its first shard that is missing or does not hash to the recorded SHA-256 (a shard
   * of an older manifest, without a hash, must at least exist); the cut manifest is written back.
   */
  private static StoreManifest verified(Path dir, StoreManifest m, List<String> repairs) {
    List<StoreManifest.StoreShard> shards = m.shards();
    int rows = 0;
    for (int i = 0; i < shards.size(); i++) {
      StoreManifest.StoreShard s = shards.get(i);
      Path f = dir.resolve(s.file());
      String problem = null;
      if (!Files.isRegularFile(f)) {
        problem = "is missing";
      } else if (s.sha256() != null) {
        String have = ContentHash.ofFile(f);
        if (!have.equals(s.sha256())) {
          problem = "does not match the SHA-256 its manifest recorded (expected " + s.sha256().substring(0, 12)
              + "..., found " + have.substring(0, 12) + "...: corrupt or truncated)";
        }
      }
      if (problem != null) {
        int later = shards.size() - i - 1;
        repairs.add("activation store " + dir + ": " + s.file() + " " + problem + "; recomputing its " + s.rows()
            + " rows" + (later > 0 ? " and the " + later + " later shard" + (later == 1 ? "" : "s") : ""));
        StoreManifest cut = new StoreManifest(StoreManifest.SCHEMA_VERSION, StoreManifest.KIND, m.header(),
            shards.subList(0, i), m.rows().subList(0, rows));
        StoreFiles.writeManifest(dir, cut);
        return cut;
      }
      rows += s.rows();
    }
    return m;
  }

  /** What reopening repaired (one line per dropped shard run), empty when every shard was intact. */
  public List<String> repairs() {
    return repairs;
  }

  /** Deletes temp files and shard files that the manifest does not list. */
  private static void removeIncomplete(Path dir, StoreManifest m) {
    Set<String> listed = new HashSet<>();
    m.shards().forEach(s -> listed.add(s.file()));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        boolean temp = name.startsWith(".") && name.endsWith(".tmp");
        boolean orphan = StoreFiles.isShardName(name) && !listed.contains(name);
        if (temp || orphan) Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cleaning activation store " + dir, e);
    }
  }

  /** The store directory. */
  public Path dir() {
    return dir;
  }

  /** The current manifest (complete shards only). */
  public StoreManifest manifest() {
    return manifest;
  }

  /** Rows already stored; an extraction resumes with row {@code completedRows()} of its slice. */
  public int completedRows() {
    return manifest.rows().size();
  }

  /**
   * Checks that the stored rows are the first rows of {@code plannedIds} (the slice being extracted) and
   * returns how many of them to skip.
   */
  public int resumeFrom(List<String> plannedIds) {
    List<StoreRow> done = manifest.rows();
    if (done.size() > plannedIds.size()) {
      throw new IllegalArgumentException(
          "activation store " + dir + " already holds " + done.size() + " rows, more than the "
              + plannedIds.size() + " planned: wrong dataset or --shard?");
    }
    for (int i = 0; i < done.size(); i++) {
      if (!done.get(i).id().equals(plannedIds.get(i))) {
        throw new IllegalArgumentException(
            "activation store " + dir + ": row " + i + " is prompt '" + done.get(i).id()
                + "' but the dataset has '" + plannedIds.get(i) + "' there; resume with the same dataset");
      }
    }
    return done.size();
  }

  /**
   * Writes one shard: {@code rows} and, for every tensor of the header, a [rows, width] matrix. The shard
   * is on disk and in the manifest when this returns.
   */
  public void append(List<StoreRow> rows, Map<String, float[][]> tensors) {
    if (rows.isEmpty()) throw new IllegalArgumentException("a shard needs at least one row");
    StoreHeader h = manifest.header();
    if (!tensors.keySet().equals(new HashSet<>(h.tensors().stream().map(StoreTensor::name).toList()))) {
      throw new IllegalArgumentException(
          "shard tensors " + tensors.keySet() + " differ from the store's " + h.tensors().stream().map(StoreTensor::name).toList());
    }
    Set<String> batch = new HashSet<>();
    for (StoreRow r : rows) {
      if (ids.contains(r.id()) || !batch.add(r.id())) {
        throw new IllegalArgumentException("prompt id '" + r.id() + "' is already in activation store " + dir);
      }
    }
    SafetensorsWriter w = new SafetensorsWriter();
    for (StoreTensor t : h.tensors()) {
      float[][] m = tensors.get(t.name());
      if (m.length != rows.size()) {
        throw new IllegalArgumentException(
            "tensor " + t.name() + " has " + m.length + " rows for " + rows.size() + " prompts");
      }
      for (float[] row : m) {
        if (row.length != t.width()) {
          throw new IllegalArgumentException(
              "tensor " + t.name() + " has a row of width " + row.length + ", expected " + t.width());
        }
      }
      w.putF32(t.name(), Nd4j.create(m));
    }
    String file = StoreFiles.shardName(manifest.shards().size());
    w.metadata("rows", Integer.toString(rows.size()));
    w.write(dir.resolve(file));
    List<StoreManifest.StoreShard> shards = new ArrayList<>(manifest.shards());
    shards.add(new StoreManifest.StoreShard(file, rows.size(), ContentHash.ofFile(dir.resolve(file))));
    List<StoreRow> all = new ArrayList<>(manifest.rows());
    all.addAll(rows);
    StoreManifest next =
        new StoreManifest(StoreManifest.SCHEMA_VERSION, StoreManifest.KIND, h, shards, all);
    StoreFiles.writeManifest(dir, next);
    manifest = next;
    for (StoreRow r : rows) ids.add(r.id());
  }
}
