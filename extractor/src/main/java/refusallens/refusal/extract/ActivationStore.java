package refusallens.refusal.extract;

import refusallens.core.io.ContentHash;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import refusallens.core.io.DType;
import refusallens.core.io.SafetensorsFile;

/**
 * Reads an activation store: its manifest, row metadata, and matrices of chosen rows and columns of a
 * tensor, read shard by shard (only the requested rows are touched).
 */
public final class ActivationStore {
  /** Bytes read per block when gathering rows of a shard. */
  static final long READ_BYTES = 64L << 20;

  private final Path dir;
  private final StoreManifest manifest;
  private final int[] shardStart;

  private ActivationStore(Path dir, StoreManifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
    shardStart = new int[manifest.shards().size() + 1];
    for (int s = 0; s < manifest.shards().size(); s++) {
      shardStart[s + 1] = shardStart[s] + manifest.shards().get(s).rows();
    }
  }

  /** Opens the store in {@code dir}; every listed shard must exist. */
  public static ActivationStore open(Path dir) {
    StoreManifest m = StoreFiles.readManifest(dir);
    for (StoreManifest.StoreShard s : m.shards()) {
      if (!Files.isRegularFile(dir.resolve(s.file()))) {
        throw new IllegalArgumentException("activation store " + dir + ": shard " + s.file() + " is missing");
      }
    }
    return new ActivationStore(dir, m);
  }

  /** The store directory. */
  public Path dir() {
    return dir;
  }

  /** The manifest. */
  public StoreManifest manifest() {
    return manifest;
  }

  /** The header (model, SAE, dataset, tensors). */
  public StoreHeader header() {
    return manifest.header();
  }

  /** Row metadata in row order. */
  public List<StoreRow> rows() {
    return manifest.rows();
  }

  /** Number of rows. */
  public int size() {
    return manifest.rows().size();
  }

  /** SHA-256 of {@code manifest.json}: identifies the stored rows and their provenance. */
  public String manifestHash() {
    return ContentHash.ofFile(dir.resolve(StoreFiles.MANIFEST));
  }

  /** The tensor called {@code name}, if stored. */
  public Optional<StoreTensor> tensor(String name) {
    return header().tensors().stream().filter(t -> t.name().equals(name)).findFirst();
  }

  private StoreTensor require(String name) {
    return tensor(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "activation store " + dir + " has no tensor '" + name + "'; it has "
                        + header().tensors().stream().map(StoreTensor::name).toList()));
  }

  /** All columns of {@code name} for the given rows, as doubles [rows.length, width]. */
  public double[][] matrix(String name, int[] rows) {
    StoreTensor t = require(name);
    int[] cols = new int[t.width()];
    for (int j = 0; j < cols.length; j++) cols[j] = j;
    return matrix(name, rows, cols);
  }

  /** Columns {@code cols} of tensor {@code name} for the given rows, as doubles [rows.length, cols.length]. */
  public double[][] matrix(String name, int[] rows, int[] cols) {
    StoreTensor t = require(name);
    for (int c : cols) {
      if (c < 0 || c >= t.width()) {
        throw new IllegalArgumentException("column " + c + " of tensor " + name + ": width is " + t.width());
      }
    }
    double[][] out = new double[rows.length][cols.length];
    // Group requested rows by shard so that each shard file is opened once.
    Integer[] order = new Integer[rows.length];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] < 0 || rows[i] >= size()) {
        throw new IllegalArgumentException("row " + rows[i] + " of activation store " + dir + ": it has " + size());
      }
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Integer.compare(rows[a], rows[b]));
    int k = 0;
    while (k < order.length) {
      int shard = shardOf(rows[order[k]]);
      try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(manifest.shards().get(shard).file()))) {
        var info = f.info(name);
        if (info.dtype() != DType.F32 || info.shape().length != 2 || info.shape()[1] != t.width()) {
          throw new IllegalArgumentException(
              "shard " + f.path() + ": tensor " + name + " is " + info.dtype() + " " + info.shapeString()
                  + ", expected F32 [n, " + t.width() + "]");
        }
        // Read runs of consecutive rows in blocks of up to READ_BYTES (one mapping per block, not per row).
        long rowBytes = (long) t.width() * 4;
        int maxRows = (int) Math.max(1, READ_BYTES / rowBytes);
        while (k < order.length && shardOf(rows[order[k]]) == shard) {
          int first = rows[order[k]] - shardStart[shard];
          int last = k;
          while (last + 1 < order.length
              && shardOf(rows[order[last + 1]]) == shard
              && rows[order[last + 1]] - shardStart[shard] < first + maxRows) {
            last++;
          }
          int end = rows[order[last]] - shardStart[shard] + 1;
          ByteBuffer b = f.rawRange(name, first * rowBytes, (int) ((end - first) * rowBytes));
          for (; k <= last; k++) {
            int i = order[k];
            long base = (rows[i] - shardStart[shard] - first) * rowBytes;
            for (int j = 0; j < cols.length; j++) out[i][j] = b.getFloat((int) (base + cols[j] * 4L));
          }
        }
      }
    }
    return out;
  }

  private int shardOf(int row) {
    int s = java.util.Arrays.binarySearch(shardStart, row);
    return s >= 0 ? s : -s - 2;
  }
}
