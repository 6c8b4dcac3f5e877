package refusallens.organism;

import refusallens.files.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import refusallens.core.io.ContentHash;

/**
 * The shipped organism copied out of the jar into {@code <cache>/organism/<manifest key>/}, kept true to its
 * manifest ({@value Organism#MANIFEST}, every file's size and SHA-256). Each file is hashed when it is
 * extracted; a stamp ({@value #STAMP}) records each verified file's size and modification time, so a later
 * use only compares those and re-hashes a file when either changed. A file that is missing or no longer
 * matches its SHA-256 is re-extracted from the jar, with a warning naming it.
 */
final class OrganismCache {
  /** Size and modification time of every file verified against the manifest. */
  static final String STAMP = ".verified.json";

  /** Opens a shipped file by its manifest path (relative to {@link Organism#RESOURCE_ROOT}); null if absent. */
  @FunctionalInterface
  interface Resources {
    InputStream open(String path) throws IOException;
  }

  /** One manifest line. */
  record ShippedFile(String path, long size, String sha256) {}

  /** What the stamp records of one verified file. */
  record FileStamp(long size, long modifiedMillis) {}

  /** The stamp file's content. */
  record Stamp(int schemaVersion, Map<String, FileStamp> files) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final Resources resources;
  private final Consumer<String> warnings;

  /**
   * @param root the cache root ({@code REFUSAL_LENS_CACHE}); the organism goes to {@code root/organism/<key>}
   * @param resources where the shipped files are read (the jar)
   * @param warnings receives one line per repair (the CLI prints it on stderr)
   */
  OrganismCache(Path root, Resources resources, Consumer<String> warnings) {
    this.root = root;
    this.resources = resources;
    this.warnings = warnings;
  }

  /** {@code REFUSAL_LENS_CACHE}, else {@code ~/.cache/refusal-lens}. */
  static Path defaultRoot() {
    String env = System.getenv(Organism.ENV_CACHE);
    return env != null && !env.isBlank()
        ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "refusal-lens");
  }

  /** The verified cache directory of the organism {@code manifest} lists: extracted, checked or repaired. */
  Path materialize(byte[] manifest) throws IOException {
    List<ShippedFile> files = parse(manifest);
    String key = ContentHash.ofBytes(manifest).substring(0, 16);
    Path target = root.resolve("organism").resolve(key);
    if (Files.isRegularFile(target.resolve(Organism.MANIFEST))) {
      verify(target, files, manifest);
      return target;
    }
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempDirectory(target.getParent(), "." + key + "-");
    try {
      Map<String, FileStamp> stamps = new TreeMap<>();
      for (ShippedFile f : files) {
        stamps.put(f.path(), extract(f, inside(tmp, f.path())));
      }
      Files.write(tmp.resolve(Organism.MANIFEST), manifest);
      AtomicFiles.writeJson(tmp.resolve(STAMP), new Stamp(1, stamps));
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        if (!Files.isRegularFile(target.resolve(Organism.MANIFEST))) {
          throw raced;
        }
        verify(target, files, manifest); // another process finished first: check its copy
      }
    } finally {
      if (Files.exists(tmp)) {
        deleteTree(tmp);
      }
    }
    return target;
  }

  /** Checks every file of {@code dir} against the stamp, re-hashing changed ones and re-extracting bad ones. */
  private void verify(Path dir, List<ShippedFile> files, byte[] manifest) throws IOException {
    Map<String, FileStamp> stamped = readStamp(dir);
    Map<String, FileStamp> now = new TreeMap<>();
    List<String> repaired = new ArrayList<>();
    for (ShippedFile f : files) {
      Path file = inside(dir, f.path());
      FileStamp seen = stampOf(file);
      if (seen != null && seen.size() == f.size() && seen.equals(stamped.get(f.path()))) {
        now.put(f.path(), seen);
        continue;
      }
      String problem = seen == null ? "missing"
          : seen.size() != f.size() ? "size " + seen.size() + " bytes, expected " + f.size()
          : ContentHash.ofFile(file).equals(f.sha256()) ? null : "SHA-256 mismatch";
      if (problem != null) {
        seen = extract(f, file);
        repaired.add(f.path() + " (" + problem + ")");
      }
      now.put(f.path(), seen);
    }
    Path cachedManifest = dir.resolve(Organism.MANIFEST);
    if (!Arrays.equals(Files.readAllBytes(cachedManifest), manifest)) {
      AtomicFiles.write(cachedManifest, manifest);
      repaired.add(Organism.MANIFEST + " (differs from the jar's)");
    }
    if (!repaired.isEmpty()) {
      warnings.accept("warning: the cached organism in " + dir + " did not match its " + Organism.MANIFEST
          + "; re-extracted from the jar: " + String.join(", ", repaired));
    }
    if (!now.equals(stamped)) {
      AtomicFiles.writeJson(dir.resolve(STAMP), new Stamp(1, now));
    }
  }

  /** Copies the shipped {@code f} to {@code dest} (temp file, hashed on disk, then renamed); its stamp. */
  private FileStamp extract(ShippedFile f, Path dest) throws IOException {
    Files.createDirectories(dest.getParent());
    Path tmp = Files.createTempFile(dest.getParent(), "." + dest.getFileName(), ".tmp");
    try {
      try (InputStream in = resources.open(f.path())) {
        if (in == null) {
          throw new IllegalStateException("embedded organism file " + Organism.RESOURCE_ROOT + f.path()
              + " is missing from the jar although " + Organism.MANIFEST + " lists it; rebuild the jar");
        }
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      String sha = ContentHash.ofFile(tmp);
      if (!sha.equals(f.sha256())) {
        throw new IllegalStateException("embedded organism file " + Organism.RESOURCE_ROOT + f.path()
            + " has SHA-256 " + sha + " but " + Organism.MANIFEST + " lists " + f.sha256()
            + ": the jar is damaged; rebuild it");
      }
      AtomicFiles.moveIntoPlace(tmp, dest);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return stampOf(dest);
  }

  private static List<ShippedFile> parse(byte[] manifest) throws IOException {
    JsonNode files = JSON.readTree(manifest).get("files");
    if (files == null || !files.isArray()) {
      throw new IllegalStateException(Organism.RESOURCE_ROOT + Organism.MANIFEST + ": no \"files\" array");
    }
    List<ShippedFile> out = new ArrayList<>();
    for (JsonNode f : files) {
      out.add(new ShippedFile(f.path("path").asText(), f.path("size").asLong(-1), f.path("sha256").asText()));
    }
    return out;
  }

  /** {@code dir/rel}, refusing a manifest path that leaves {@code dir}. */
  private static Path inside(Path dir, String rel) {
    Path p = dir.resolve(rel).normalize();
    if (rel.isEmpty() || !p.startsWith(dir.normalize())) {
      throw new IllegalStateException(Organism.MANIFEST + " lists \"" + rel + "\", which is outside the organism");
    }
    return p;
  }

  private static FileStamp stampOf(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    return new FileStamp(Files.size(file), Files.getLastModifiedTime(file).toMillis());
  }

  private static Map<String, FileStamp> readStamp(Path dir) {
    Path f = dir.resolve(STAMP);
    try {
      Stamp s = JSON.readValue(f.toFile(), Stamp.class);
      return s.files() == null ? Map.of() : new TreeMap<>(s.files());
    } catch (IOException | RuntimeException e) {
      return Map.of(); // absent or unreadable: every file is re-hashed and the stamp rewritten
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
