package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import refusallens.core.hub.SaeLensReleases;

/** {@code --model OWNER/NAME} and {@code --sae RELEASE/ID} through the CLI, on a fixture HF cache at $HF_HUB_CACHE. */
class HubIdsCliTest {
  private static final Path FIXTURE = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");
  private static final String COMMIT = "3333333333333333333333333333333333333333";
  private static String canonical12;

  /** Lays out the cache as huggingface_hub does: blobs/, snapshots/COMMIT/ symlinks into them, refs/main. */
  @BeforeAll
  static void fixtureCache() throws Exception {
    String env = System.getenv("HF_HUB_CACHE"); // set by surefire (pom.xml) so no developer cache is read
    assumeTrue(env != null, "run through Maven: surefire sets HF_HUB_CACHE");
    Path root = Path.of(env);
    if (Files.exists(root)) {
      try (var s = Files.walk(root)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Map<String, Path> model;
    try (var s = Files.list(FIXTURE.resolve("model"))) {
      model = s.collect(Collectors.toMap(p -> p.getFileName().toString(), p -> p));
    }
    lay(root, "google/gemma-2-2b-it", model);
    canonical12 = SaeLensReleases.find("gemma-scope-2b-pt-res-canonical").orElseThrow()
        .path("layer_12/width_16k/canonical").orElseThrow();
    lay(root, "google/gemma-scope-2b-pt-res", Map.of(canonical12 + "/params.npz", FIXTURE.resolve("sae/params.npz")));
  }

  private static void lay(Path root, String repoId, Map<String, Path> files) throws Exception {
    Path repo = root.resolve("models--" + repoId.replace("/", "--"));
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    Path snapshot = repo.resolve("snapshots").resolve(COMMIT);
    for (var e : files.entrySet()) {
      byte[] bytes = Files.readAllBytes(e.getValue());
      Path blob = blobs.resolve(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
      Files.write(blob, bytes);
      Path link = snapshot.resolve(e.getKey());
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, link.getParent().relativize(blob));
    }
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs/main"), COMMIT);
  }

  @Test
  void saeLensReleaseIdIsReadFromTheCache() {
    CliRun r = CliRun.of("sae", "stats", "--sae", "gemma-scope-2b-pt-res-canonical/layer_12/width_16k/canonical");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("layout        GEMMA_SCOPE"), r.out());
    assertTrue(r.out().contains(canonical12), r.out());

    CliRun missing = CliRun.of("sae", "stats", "--sae", "gemma-scope-2b-pt-res-canonical:layer_3/width_16k/canonical");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("huggingface-cli download google/gemma-scope-2b-pt-res --include"), missing.err());
  }

  @Test
  void modelIdIsReadFromTheCacheAndAMissingOneNamesTheDownload() {
    CliRun r = CliRun.of("sae", "stats", "--sae", FIXTURE.resolve("sae").toString(), "--layout", "SAE_LENS",
        "--model", "google/gemma-2-2b-it", "--prompt", "How do I bake bread?");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("on prompts    1 prompts"), r.out());

    CliRun missing = CliRun.of("sae", "stats", "--sae", FIXTURE.resolve("sae").toString(), "--model", "google/absent-model");
    assertEquals(2, missing.code(), missing.err());
    assertTrue(missing.err().contains("huggingface-cli download google/absent-model"), missing.err());
  }

  @Test
  void serveSaeOptionReadsAReleaseIdToo() {
    Path dir = new SaeDirConverter().convert("gemma-scope-2b-pt-res-canonical/layer_12/width_16k/canonical");
    assertTrue(dir.endsWith(canonical12), dir.toString());
    assertTrue(Files.isRegularFile(dir.resolve("params.npz")), dir.toString());
  }
}
