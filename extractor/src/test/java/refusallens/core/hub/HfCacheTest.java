package refusallens.core.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeLayout;

class HfCacheTest {
  private static final Path FIXTURE = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");
  private static final String MAIN = "1111111111111111111111111111111111111111";
  private static final String OLD = "2222222222222222222222222222222222222222";

  @TempDir Path tmp;

  /**
   * Lays {@code files} (name in snapshot -> source file) out as huggingface_hub does: content-addressed blobs,
   * snapshot entries that are relative symlinks into blobs/, and refs/main holding the commit.
   */
  private static Path cacheRepo(Path root, String repoId, String commit, Map<String, Path> files, boolean refMain)
      throws Exception {
    Path repo = root.resolve("models--" + repoId.replace("/", "--"));
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(commit));
    for (var e : files.entrySet()) {
      byte[] bytes = Files.readAllBytes(e.getValue());
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      Path blob = blobs.resolve(sha);
      if (!Files.exists(blob)) {
        Files.write(blob, bytes);
      }
      Path link = snapshot.resolve(e.getKey());
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, link.getParent().relativize(blob));
    }
    if (refMain) {
      Files.createDirectories(repo.resolve("refs"));
      Files.writeString(repo.resolve("refs/main"), commit);
    }
    return snapshot;
  }

  private static Map<String, Path> modelFiles() throws IOException {
    try (var s = Files.list(FIXTURE.resolve("model"))) {
      return s.collect(java.util.stream.Collectors.toMap(p -> p.getFileName().toString(), p -> p));
    }
  }

  @Test
  void modelIdResolvesToTheSnapshotOfRefsMainAndAtRevToItsOwnSnapshot() throws Exception {
    Path root = tmp.resolve("hub");
    Path main = cacheRepo(root, "google/gemma-2-2b-it", MAIN, modelFiles(), true);
    Path old = cacheRepo(root, "google/gemma-2-2b-it", OLD, modelFiles(), false);
    HfCache cache = new HfCache(root);

    Path dir = cache.resolveModel("google/gemma-2-2b-it");
    assertEquals(main, dir);
    assertTrue(Files.isSymbolicLink(dir.resolve("config.json")));
    // the snapshot reads as the model directory: same bytes as the fixture through the blob symlink
    assertEquals(Files.readString(FIXTURE.resolve("model/config.json")), Files.readString(dir.resolve("config.json")));
    assertEquals(old, cache.resolveModel("google/gemma-2-2b-it@" + OLD));
  }

  @Test
  void cacheRootFollowsHfHubCacheThenHfHomeThenHome() {
    Path home = tmp.resolve("home");
    assertEquals(home.resolve(".cache/huggingface/hub"), HfCache.fromEnvironment(Map.of(), home).root());
    assertEquals(Path.of("/h/hub"), HfCache.fromEnvironment(Map.of("HF_HOME", "/h"), home).root());
    assertEquals(Path.of("/c"),
        HfCache.fromEnvironment(Map.of("HF_HOME", "/h", "HF_HUB_CACHE", "/c"), home).root());
  }

  @Test
  void hfHomeCacheIsWhereTheModelIsFound() throws Exception {
    Path hfHome = tmp.resolve("hf");
    Path snapshot = cacheRepo(hfHome.resolve("hub"), "google/gemma-2-2b-it", MAIN, modelFiles(), true);
    var env = Map.of("HF_HOME", hfHome.toString());
    assertEquals(snapshot, HfCache.fromEnvironment(env, tmp).resolveModel("google/gemma-2-2b-it"));
    // HF_HUB_CACHE wins over HF_HOME: an empty hub cache there means the id is not found
    var both = Map.of("HF_HOME", hfHome.toString(), "HF_HUB_CACHE", tmp.resolve("empty").toString());
    assertThrows(HubException.class, () -> HfCache.fromEnvironment(both, tmp).resolveModel("google/gemma-2-2b-it"));
  }

  @Test
  void anExistingPathWinsOverAnId() throws Exception {
    Path root = tmp.resolve("hub");
    // "target/hub-path-wins" reads as both a relative directory (surefire runs in the module) and a repo id
    String spec = "target/hub-path-wins";
    cacheRepo(root, spec, MAIN, modelFiles(), true);
    Path local = Files.createDirectories(Path.of(spec));
    try {
      assertEquals(Path.of(spec), new HfCache(root).resolveModel(spec));
    } finally {
      Files.delete(local);
    }
    // once the directory is gone the same words are the cached repo
    assertEquals(root.resolve("models--target--hub-path-wins/snapshots/" + MAIN), new HfCache(root).resolveModel(spec));
    assertEquals(FIXTURE.resolve("model"), new HfCache(root).resolveModel(FIXTURE.resolve("model").toString()));
  }

  @Test
  void missingRepoRevisionOrSnapshotSaysWhichDownloadFetchesIt() throws Exception {
    Path root = tmp.resolve("hub");
    HfCache cache = new HfCache(root);
    var noRepo = assertThrows(HubException.class, () -> cache.resolveModel("google/gemma-2-2b-it"));
    assertTrue(noRepo.getMessage().contains("huggingface-cli download google/gemma-2-2b-it"), noRepo.getMessage());

    Path snapshot = cacheRepo(root, "google/gemma-2-2b-it", MAIN, modelFiles(), true);
    var noRev = assertThrows(HubException.class, () -> cache.resolveModel("google/gemma-2-2b-it@v2"));
    assertTrue(noRev.getMessage().contains("huggingface-cli download google/gemma-2-2b-it --revision v2"),
        noRev.getMessage());

    // refs/main names a commit whose snapshot is gone
    try (var s = Files.walk(snapshot)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    var noSnapshot = assertThrows(HubException.class, () -> cache.resolveModel("google/gemma-2-2b-it"));
    assertTrue(noSnapshot.getMessage().contains("snapshot " + MAIN), noSnapshot.getMessage());
    assertTrue(noSnapshot.getMessage().contains("huggingface-cli download google/gemma-2-2b-it"),
        noSnapshot.getMessage());
  }

  @Test
  void saeLensCanonicalIdResolvesToAGemmaScopeFolderInTheReleaseRepo() throws Exception {
    Path root = tmp.resolve("hub");
    String folder = SaeLensReleases.find("gemma-scope-2b-pt-res-canonical").orElseThrow()
        .path("layer_12/width_16k/canonical").orElseThrow();
    assertTrue(folder.startsWith("layer_12/width_16k/average_l0_"), folder);
    Path snapshot = cacheRepo(root, "google/gemma-scope-2b-pt-res", MAIN,
        Map.of(folder + "/params.npz", FIXTURE.resolve("sae/params.npz")), true);
    HfCache cache = new HfCache(root);

    Path dir = cache.resolveSae("gemma-scope-2b-pt-res-canonical/layer_12/width_16k/canonical");
    assertEquals(snapshot.resolve(folder), dir);
    assertEquals(dir, cache.resolveSae("gemma-scope-2b-pt-res-canonical:layer_12/width_16k/canonical"));
    assertEquals(SaeLayout.GEMMA_SCOPE, SaeLayout.detect(dir));
    // the layer comes from the layer_12 folder of the snapshot path, as for a --local-dir download
    assertEquals(12, Sae.readConfig(dir, SaeLayout.GEMMA_SCOPE, OptionalInt.empty()).layer());

    var missing = assertThrows(HubException.class,
        () -> cache.resolveSae("gemma-scope-2b-pt-res-canonical/layer_3/width_16k/canonical"));
    String want = SaeLensReleases.find("gemma-scope-2b-pt-res-canonical").orElseThrow()
        .path("layer_3/width_16k/canonical").orElseThrow();
    assertTrue(missing.getMessage().contains(
        "huggingface-cli download google/gemma-scope-2b-pt-res --include \"" + want + "/*\""), missing.getMessage());
    // a path that is not a known release stays a path
    assertEquals(Path.of("saes/elsewhere"), cache.resolveSae("saes/elsewhere"));
  }
}
