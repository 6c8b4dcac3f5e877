package refusallens.datasets.bundle;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a dataset bundle: what made it (generator, seed, parameters), and per file the
 * count, the counts by label and a SHA-256 of its bytes.
 *
 * @param schemaVersion {@value #SCHEMA_VERSION}
 * @param kind {@value #KIND}
 * @param generator {@code builtin} for {@code datasets make}, {@code split} for a split of an imported set, {@code public} for
 *     the study's bundle of the public sets ({@link DatasetBundle#fromPublic})
 * @param seed the seed every random choice derived from
 * @param parameters the other settings (sizes, fractions, input file)
 * @param counts prompts per file
 * @param files per file details
 * @param attacks the adversarial transforms applied to make the OOD file
 * @param templates request-frame ids per split (built-in generator only; disjoint by construction)
 * @param duplicatesRemoved prompts dropped as duplicates of an earlier normalised text
 */
@JsonPropertyOrder({
  "schemaVersion", "kind", "generator", "seed", "parameters", "counts", "files", "attacks", "templates",
  "duplicatesRemoved"
})
public record BundleManifest(
    int schemaVersion,
    String kind,
    String generator,
    long seed,
    Map<String, Object> parameters,
    Map<String, Integer> counts,
    List<FileEntry> files,
    List<String> attacks,
    Map<String, List<String>> templates,
    int duplicatesRemoved) {

  /** The current schema version. */
  public static final int SCHEMA_VERSION = 1;

  /** The kind tag of bundle manifests. */
  public static final String KIND = "refusal-lens/dataset-bundle";

  public BundleManifest {
    if (schemaVersion != SCHEMA_VERSION) {
      throw new IllegalArgumentException(
          "manifest schemaVersion " + schemaVersion + " is not supported (expected " + SCHEMA_VERSION + ")");
    }
    if (!KIND.equals(kind)) {
      throw new IllegalArgumentException("manifest kind '" + kind + "' is not " + KIND);
    }
  }

  /**
   * One file of the bundle.
   *
   * @param file name inside the bundle directory
   * @param count prompts in it
   * @param byLabel prompts per label
   * @param sha256 hex SHA-256 of the file's bytes
   */
  @JsonPropertyOrder({"file", "count", "byLabel", "sha256"})
  public record FileEntry(String file, int count, Map<String, Integer> byLabel, String sha256) {}
}
