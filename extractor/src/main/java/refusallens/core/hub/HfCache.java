package refusallens.core.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local Hugging Face hub cache ({@code models--OWNER--NAME/refs/REV}, {@code snapshots/HASH/}), read offline
 * to turn {@code --model OWNER/NAME[@REV]} and {@code --sae RELEASE/ID} (or {@code RELEASE:ID}, a SAELens release)
 * into directories. An existing path always wins over an id.
 */
public final class HfCache {
  /** {@code owner/name} with an optional {@code @revision}, as the hub spells repo ids. */
  private static final Pattern REPO_ID = Pattern.compile("([A-Za-z0-9][\\w.-]*/[\\w.-]+)(?:@([\\w./-]+))?");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  private final Path root;

  public HfCache(Path root) {
    this.root = java.util.Objects.requireNonNull(root, "root");
  }

  /**
   * The cache huggingface_hub uses: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
   * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}.
   */
  public static HfCache fromEnvironment(Map<String, String> env, Path userHome) {
    String hubCache = env.get("HF_HUB_CACHE");
    if (hubCache != null && !hubCache.isBlank()) {
      return new HfCache(Path.of(hubCache));
    }
    String home = env.get("HF_HOME");
    if (home != null && !home.isBlank()) {
      return new HfCache(Path.of(home, "hub"));
    }
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return new HfCache(Path.of(xdg, "huggingface", "hub"));
    }
    return new HfCache(userHome.resolve(".cache").resolve("huggingface").resolve("hub"));
  }

  /** The cache of this process's environment and home directory. */
  public static HfCache fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  public Path root() {
    return root;
  }

  /**
   * A {@code --model} value as a directory: the path itself if it exists, else the snapshot of the Hugging Face
   * repo it names ({@code OWNER/NAME[@REV]}), else the path unchanged (for the loader to report).
   */
  public Path resolveModel(String spec) {
    Path asPath = Path.of(spec);
    if (Files.exists(asPath)) {
      return asPath;
    }
    Matcher m = REPO_ID.matcher(spec);
    if (!m.matches()) {
      return asPath;
    }
    return snapshot(m.group(1), m.group(2), spec);
  }

  /**
   * A {@code --sae} directory value: the path itself if it exists, else the SAE of a SAELens release
   * ({@code RELEASE/ID} or {@code RELEASE:ID}) in its repo's snapshot, else the path unchanged.
   */
  public Path resolveSae(String spec) {
    Path asPath = Path.of(spec);
    if (Files.exists(asPath)) {
      return asPath;
    }
    Optional<String[]> split = splitRelease(spec);
    if (split.isEmpty()) {
      return asPath;
    }
    String releaseName = split.get()[0];
    String id = split.get()[1];
    SaeLensReleases.Release release = SaeLensReleases.find(releaseName).orElseThrow();
    String path = release.path(id).orElseThrow(() -> new HubException("--sae " + spec + ": SAELens release "
        + releaseName + " has no SAE " + id + " in refusal-lens' table (e.g. "
        + release.paths().keySet().stream().sorted().findFirst().orElse("?") + ")"));
    Path snapshot = snapshot(release.repoId(), null, spec, path);
    Path dir = snapshot.resolve(path);
    if (!Files.isDirectory(dir)) {
      throw new HubException("--sae " + spec + ": " + dir + " is missing from the Hugging Face cache " + root
          + "; fetch it with: " + download(release.repoId(), null, path));
    }
    return dir;
  }

  /** {@code [release, id]} if {@code spec} starts with a curated SAELens release name. */
  private static Optional<String[]> splitRelease(String spec) {
    int colon = spec.indexOf(':');
    if (colon > 0 && SaeLensReleases.find(spec.substring(0, colon)).isPresent()) {
      return Optional.of(new String[] {spec.substring(0, colon), spec.substring(colon + 1)});
    }
    int slash = spec.indexOf('/');
    if (slash > 0 && SaeLensReleases.find(spec.substring(0, slash)).isPresent()) {
      return Optional.of(new String[] {spec.substring(0, slash), spec.substring(slash + 1)});
    }
    return Optional.empty();
  }

  /** The snapshot directory of {@code repoId} at {@code revision} (a branch/tag in refs/, or a commit; null = main). */
  public Path snapshot(String repoId, String revision) {
    return snapshot(repoId, revision, repoId + (revision == null ? "" : "@" + revision), null);
  }

  private Path snapshot(String repoId, String revision, String spec) {
    return snapshot(repoId, revision, spec, null);
  }

  private Path snapshot(String repoId, String revision, String spec, String include) {
    String rev = revision == null ? "main" : revision;
    Path repoDir = root.resolve("models--" + repoId.replace("/", "--"));
    String fetch = download(repoId, revision, include);
    if (!Files.isDirectory(repoDir)) {
      throw new HubException(spec + ": no such directory, and Hugging Face repo " + repoId
          + " is not in the cache " + root + " (set HF_HUB_CACHE or HF_HOME to use another); fetch it with: "
          + fetch);
    }
    Path ref = repoDir.resolve("refs").resolve(rev);
    String commit;
    if (Files.isRegularFile(ref)) {
      try {
        commit = Files.readString(ref).trim();
      } catch (IOException e) {
        throw new UncheckedIOException(ref + ": cannot read", e);
      }
    } else if (COMMIT.matcher(rev).matches()) {
      commit = rev;
    } else {
      throw new HubException(spec + ": revision " + rev + " of " + repoId + " is not in the cache (no " + ref
          + "); fetch it with: " + fetch);
    }
    Path snapshot = repoDir.resolve("snapshots").resolve(commit);
    if (!Files.isDirectory(snapshot)) {
      throw new HubException(spec + ": snapshot " + commit + " of " + repoId + " is missing (no " + snapshot
          + "); fetch it with: " + fetch);
    }
    return snapshot;
  }

  /** The {@code huggingface-cli download} command that would fetch {@code repoId} (or one folder of it). */
  static String download(String repoId, String revision, String include) {
    StringBuilder cmd = new StringBuilder("huggingface-cli download ").append(repoId);
    if (revision != null) {
      cmd.append(" --revision ").append(revision);
    }
    if (include != null) {
      cmd.append(" --include \"").append(include).append("/*\"");
    }
    return cmd.toString();
  }
}
