package refusallens.refusal.extract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The {@code manifest.json} of an activation store: header, the complete shards in order and the metadata
 * of every row in row order (rows of shard 0, then shard 1, ...). Layers and position rules are derived
 * from the tensors and written for readers in other languages.
 */
@JsonIgnoreProperties(value = {"layers", "positions"}, allowGetters = true)
public record StoreManifest(
    int schemaVersion, String kind, StoreHeader header, List<StoreShard> shards, List<StoreRow> rows) {
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** The {@code kind} value of activation-store manifests. */
  public static final String KIND = "activation-store";

  public StoreManifest {
    if (schemaVersion != SCHEMA_VERSION) {
      throw new IllegalArgumentException(
          "manifest schemaVersion " + schemaVersion + ": this version reads " + SCHEMA_VERSION);
    }
    if (!KIND.equals(kind)) throw new IllegalArgumentException("manifest kind '" + kind + "': expected " + KIND);
    Objects.requireNonNull(header, "manifest header");
    shards = List.copyOf(shards);
    rows = List.copyOf(rows);
    int total = shards.stream().mapToInt(StoreShard::rows).sum();
    if (total != rows.size()) {
      throw new IllegalArgumentException(
          "manifest lists " + rows.size() + " rows but its shards hold " + total);
    }
  }

  /** A manifest with no shard yet. */
  public static StoreManifest empty(StoreHeader header) {
    return new StoreManifest(SCHEMA_VERSION, KIND, header, List.of(), List.of());
  }

  /** Sorted layers of the tensors (informative). */
  @JsonProperty("layers")
  public List<Integer> layers() {
    return header.layers();
  }

  /** Position rules of the tensors (informative). */
  @JsonProperty("positions")
  public List<PositionRule> positions() {
    return header.positions();
  }

  /**
   * One complete shard: file name (in the store directory), its row count and the SHA-256 of its bytes
   * (null in manifests written before shards were hashed).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StoreShard(String file, int rows, String sha256) {
    public StoreShard {
      Objects.requireNonNull(file, "shard file");
      if (!isPlainName(file)) {
        throw new IllegalArgumentException("manifest shard entry '" + file
            + "' points outside its store: a shard is a file name in the store directory");
      }
      if (rows < 1) throw new IllegalArgumentException("shard " + file + " has " + rows + " rows");
      if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("manifest shard entry '" + file + "': sha256 '" + sha256 + "' is not 64 hex digits");
      }
    }

    /** A file name with no directory part: not absolute, no separator, not {@code .} or {@code ..}. */
    private static boolean isPlainName(String file) {
      return !file.isEmpty() && !file.contains("/") && !file.contains("\\") && !file.equals(".") && !file.equals("..")
          && !file.contains(":") && !Path.of(file).isAbsolute();
    }
  }
}
