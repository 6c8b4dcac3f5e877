package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The organism cache is checked against {@code organism-files.json}: a flipped bit, a truncation or a missing
 * file in the cached copy is re-extracted from the "jar" (here a folder of the shipped files) with a warning.
 */
class OrganismCacheTest {
  private static final Path FIXTURE = Path.of(System.getProperty("refusallens.shared"), "fixtures", "gemma2");

  @TempDir Path tmp;
  private Path jar;
  private byte[] manifest;
  private final List<String> warnings = new ArrayList<>();
  private OrganismCache cache;

  @BeforeEach
  void shipTinyOrganism() throws IOException {
    jar = tmp.resolve("jar");
    Path trained = tmp.resolve("trained");
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
      Files.createDirectories(trained);
      Files.copy(FIXTURE.resolve("model").resolve(f), trained.resolve(f));
    }
    Path sae = trained.resolve(OrganismTrainer.SAE_DIR).resolve("layer_1");
    Files.createDirectories(sae);
    for (String f : List.of("cfg.json", "sae_weights.safetensors")) {
      Files.copy(FIXTURE.resolve("sae").resolve(f), sae.resolve(f));
    }
    Organism.export(trained, jar);
    manifest = Files.readAllBytes(jar.resolve(Organism.MANIFEST));
    cache = new OrganismCache(tmp.resolve("cache"),
        rel -> Files.isRegularFile(jar.resolve(rel)) ? Files.newInputStream(jar.resolve(rel)) : null, warnings::add);
  }

  @Test
  void firstUseExtractsVerifiesAndStamps() throws IOException {
    Path dir = cache.materialize(manifest);
    assertTrue(Files.isRegularFile(dir.resolve(OrganismCache.STAMP)), "stamp written");
    assertSameAsJar(dir, "model.safetensors");
    assertSameAsJar(dir, "saes/layer_1/sae_weights.safetensors");
    assertEquals(dir, cache.materialize(manifest));
    assertEquals(List.of(), warnings);
  }

  @Test
  void flippedBitsInTheCachedModelAreRepairedWithAWarning() throws IOException {
    Path dir = cache.materialize(manifest);
    Path model = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(model);
    for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) {
      bytes[i] ^= (byte) 0x40;
    }
    Files.write(model, bytes); // same size, new mtime: the stamp sends it to a full re-hash
    assertEquals(dir, cache.materialize(manifest));
    assertSameAsJar(dir, "model.safetensors");
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).startsWith("warning:") && warnings.get(0).contains("model.safetensors (SHA-256 mismatch)"),
        warnings.get(0));
    // repaired and re-stamped: the next use is quiet
    cache.materialize(manifest);
    assertEquals(1, warnings.size(), warnings.toString());
  }

  @Test
  void truncatedAndMissingFilesAreRepaired() throws IOException {
    Path dir = cache.materialize(manifest);
    Path weights = dir.resolve("saes/layer_1/sae_weights.safetensors");
    Files.write(weights, new byte[] {1, 2, 3});
    Files.delete(dir.resolve("tokenizer.json"));
    cache.materialize(manifest);
    assertSameAsJar(dir, "saes/layer_1/sae_weights.safetensors");
    assertSameAsJar(dir, "tokenizer.json");
    assertTrue(warnings.get(0).contains("saes/layer_1/sae_weights.safetensors (size 3 bytes"), warnings.toString());
    assertTrue(warnings.get(0).contains("tokenizer.json (missing)"), warnings.toString());
  }

  @Test
  void aCacheWithoutStampIsFullyHashedOnFirstUse() throws IOException {
    Path dir = cache.materialize(manifest);
    Path model = dir.resolve("model.safetensors");
    FileTime mtime = Files.getLastModifiedTime(model);
    byte[] bytes = Files.readAllBytes(model);
    bytes[bytes.length - 1] ^= 1;
    Files.write(model, bytes);
    Files.setLastModifiedTime(model, mtime); // size and mtime unchanged: only a full hash can tell
    Files.delete(dir.resolve(OrganismCache.STAMP)); // as a cache written before stamps existed
    cache.materialize(manifest);
    assertSameAsJar(dir, "model.safetensors");
    assertTrue(warnings.get(0).contains("model.safetensors (SHA-256 mismatch)"), warnings.toString());
  }

  @Test
  void aDamagedJarIsAnErrorNamingTheFile() throws IOException {
    Path shipped = jar.resolve("config.json");
    Files.writeString(shipped, Files.readString(shipped).replace('1', '2'));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.materialize(manifest));
    assertTrue(e.getMessage().contains("refusallens/organism/config.json") && e.getMessage().contains("SHA-256"),
        e.getMessage());
  }

  private void assertSameAsJar(Path dir, String rel) throws IOException {
    assertArrayEquals(Files.readAllBytes(jar.resolve(rel)), Files.readAllBytes(dir.resolve(rel)), rel);
  }
}
