package refusallens.organism;

import refusallens.files.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import refusallens.core.io.ContentHash;

/**
 * The embedded default model: the shipped organism (chat model, tokenizer, SAEs) in the classpath
 * resources {@code refusallens/organism/}. Every command that takes a model or SAEs falls back to
 * {@link #defaultModelDir()} / {@link #defaultSaeDir()} when none is given; the classifier service also to its
 * shipped {@link #defaultFeaturesFile()} / {@link #defaultProbeFile()} (listed in the manifest like every file). Run from a jar, the files are
 * copied once into a cache directory (a jar entry cannot be memory-mapped).
 */
public final class Organism {
  /** Classpath folder of the shipped organism. */
  public static final String RESOURCE_ROOT = "refusallens/organism/";
  /** The listing of the shipped files (path, size, sha256); it also keys the cache. */
  public static final String MANIFEST = "organism-files.json";
  /** Environment variable naming a directory to use instead of the shipped organism. */
  public static final String ENV_DIR = "REFUSAL_LENS_ORGANISM";
  /** Environment variable naming the cache root (default {@code ~/.cache/refusal-lens}). */
  public static final String ENV_CACHE = "REFUSAL_LENS_CACHE";
  /** The organism's shipped refusal features (written by {@code features find}), beside its config.json. */
  public static final String FEATURES_FILE = "features.json";
  /** The organism's shipped probe (written by {@code probes train}), beside its config.json. */
  public static final String PROBE_FILE = "probe.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile Path resolved;

  private Organism() {}

  /** The organism's HF checkpoint directory (config.json, model.safetensors, tokenizer files). */
  public static Path defaultModelDir() {
    Path p = resolved;
    if (p == null) {
      synchronized (Organism.class) {
        if (resolved == null) {
          resolved = resolve();
        }
        p = resolved;
      }
    }
    return p;
  }

  /** The organism's SAE directory: one SAELens-layout folder per layer, {@code layer_L}. */
  public static Path defaultSaeDir() {
    return defaultModelDir().resolve(OrganismTrainer.SAE_DIR);
  }

  /** The organism's SAE (SAELens layout) on {@code hook_resid_post} of {@code layer}. */
  public static Path defaultSaeDir(int layer) {
    Path dir = OrganismSaes.layerDir(defaultSaeDir(), layer);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("the embedded organism has no SAE for layer " + layer + " (" + dir + ")");
    }
    return dir;
  }

  /**
   * The organism's shipped {@code features.json}.
   *
   * @throws IllegalStateException naming the missing resource when the organism ships none
   */
  public static Path defaultFeaturesFile() {
    return shippedFile(FEATURES_FILE, "--features");
  }

  /**
   * The organism's shipped {@code probe.json}.
   *
   * @throws IllegalStateException naming the missing resource when the organism ships none
   */
  public static Path defaultProbeFile() {
    return shippedFile(PROBE_FILE, "--probe");
  }

  private static Path shippedFile(String name, String flag) {
    return shippedFile(defaultModelDir(), RESOURCE_ROOT + name, flag);
  }

  /**
   * {@code dir}'s copy of the classpath {@code resource}, or an error naming the resource: absent, or (run from
   * a jar) not listed in the manifest and so not copied into the cache.
   */
  static Path shippedFile(Path dir, String resource, String flag) {
    String name = resource.substring(resource.lastIndexOf('/') + 1);
    Path file = dir.resolve(name);
    if (Files.isRegularFile(file)) {
      return file;
    }
    if (Organism.class.getClassLoader().getResource(resource) != null) {
      throw new IllegalStateException(
          "the embedded organism's " + resource + " is not listed in its manifest " + RESOURCE_ROOT + MANIFEST
              + ", so it was not copied into " + dir + "; re-export the organism (Organism.export) or pass " + flag
              + " FILE");
    }
    throw new IllegalStateException(
        "the embedded organism ships no " + name + " (classpath resource " + resource + ", nor " + file + "); pass "
            + flag + " FILE");
  }

  /** {@code model} when given, else the organism. */
  public static Path modelOrDefault(Path model) {
    return model != null ? model : defaultModelDir();
  }

  /** {@code sae} when given, else the organism's SAE directory. */
  public static Path saeOrDefault(Path sae) {
    return sae != null ? sae : defaultSaeDir();
  }

  private static Path resolve() {
    String env = System.getenv(ENV_DIR);
    if (env != null && !env.isBlank()) {
      Path dir = Path.of(env);
      if (!Files.isRegularFile(dir.resolve("config.json"))) {
        throw new IllegalArgumentException(ENV_DIR + "=" + env + " is not a model directory (no config.json)");
      }
      return dir;
    }
    URL url = Organism.class.getClassLoader().getResource(RESOURCE_ROOT + MANIFEST);
    if (url == null) {
      throw new IllegalStateException(
          "the embedded organism is missing from the classpath (" + RESOURCE_ROOT + MANIFEST + "); pass --model");
    }
    if ("file".equals(url.getProtocol())) {
      try {
        return Path.of(url.toURI()).getParent();
      } catch (URISyntaxException e) {
        throw new IllegalStateException("bad resource URL " + url, e);
      }
    }
    return copyToCache(url);
  }

  /**
   * The organism's verified copy in {@code <cache>/organism/<manifest sha>/} (see {@link OrganismCache}):
   * extracted once, checked against the manifest on every first use in a process, repaired from the jar.
   */
  private static Path copyToCache(URL manifestUrl) {
    try {
      byte[] manifest;
      try (InputStream in = manifestUrl.openStream()) {
        manifest = in.readAllBytes();
      }
      OrganismCache cache = new OrganismCache(OrganismCache.defaultRoot(),
          rel -> Organism.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + rel), System.err::println);
      return cache.materialize(manifest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the embedded organism into the cache "
          + OrganismCache.defaultRoot() + ": " + e.getMessage(), e);
    }
  }

  /** The files an organism directory ships (model, tokenizer, SAEs, reports; not the training state). */
  static List<Path> shippedFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
        "organism-run.json", "model-training.json", OrganismTrainer.REPORT_FILE, "MODEL_CARD.md", FEATURES_FILE,
        PROBE_FILE)) {
      if (Files.isRegularFile(dir.resolve(f))) {
        out.add(Path.of(f));
      }
    }
    Path saes = dir.resolve(OrganismTrainer.SAE_DIR);
    if (Files.isDirectory(saes)) {
      try (Stream<Path> s = Files.walk(saes)) {
        s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
            .sorted().forEach(p -> out.add(dir.relativize(p)));
      }
    }
    return out;
  }

  /**
   * Copies a trained organism from {@code from} into {@code to} (e.g. the resources folder) with its
   * manifest; returns the manifest.
   */
  public static ObjectNode export(Path from, Path to) {
    try {
      if (!Files.isRegularFile(from.resolve("config.json"))) {
        throw new IllegalArgumentException(from + " is not a trained organism (no config.json)");
      }
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 1);
      ArrayNode files = manifest.putArray("files");
      for (Path rel : shippedFiles(from)) {
        Path src = from.resolve(rel);
        Path dest = to.resolve(rel.toString());
        Files.createDirectories(dest.getParent());
        if (!src.toAbsolutePath().normalize().equals(dest.toAbsolutePath().normalize())) {
          Files.copy(src, dest, StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectNode f = files.addObject();
        f.put("path", rel.toString().replace('\\', '/'));
        f.put("size", Files.size(src));
        f.put("sha256", ContentHash.ofFile(src));
      }
      AtomicFiles.writeJson(to.resolve(MANIFEST), manifest);
      return manifest;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export the organism from " + from + " to " + to, e);
    }
  }
}
