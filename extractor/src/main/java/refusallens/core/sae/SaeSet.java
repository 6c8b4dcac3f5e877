package refusallens.core.sae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;

/**
 * The SAEs of a model, by layer. Configs are read and checked against the model (d_model, layer count, one
 * SAE per layer) when the set is opened; weights are memory-mapped and widened to float32 only when a layer
 * is first asked for, and the least recently used layers are dropped once their weights exceed a byte budget,
 * so a set larger than memory (26 GemmaScope layers x 65k features, 31 GB as float32) is used layer by layer.
 * Thread-safe.
 */
public final class SaeSet {
  /** Directory depth searched below a directory of layers ({@code layer_N/width_16k/average_l0_82}). */
  private static final int MAX_DEPTH = 3;
  /** A per-layer folder of a directory of SAEs (the organism's and GemmaScope's layouts). */
  private static final Pattern LAYER_FOLDER = Pattern.compile("layer_\\d+");

  /**
   * Where one SAE (or a directory of them) is: {@code DIR} or {@code LAYER=DIR}, the layer needed only where
   * the layout has no hook (GemmaScope outside a {@code layer_N} directory).
   */
  public record Source(Path dir, OptionalInt layer) {
    private static final Pattern WITH_LAYER = Pattern.compile("(\\d+)=(.+)");

    public Source {
      java.util.Objects.requireNonNull(dir, "dir");
      java.util.Objects.requireNonNull(layer, "layer");
    }

    /**
     * Parses {@code DIR} or {@code LAYER=DIR} (as given to {@code --sae}); DIR may also be a SAELens release id
     * found in the local Hugging Face cache ({@link refusallens.core.hub.HfCache#resolveSae}).
     */
    public static Source parse(String spec) {
      Matcher m = WITH_LAYER.matcher(spec);
      var cache = refusallens.core.hub.HfCache.fromEnvironment();
      if (m.matches()) {
        return new Source(cache.resolveSae(m.group(2)), OptionalInt.of(Integer.parseInt(m.group(1))));
      }
      return new Source(cache.resolveSae(spec), OptionalInt.empty());
    }
  }

  /**
   * @param maxResidentBytes float32 weight bytes kept in memory at once (at least one layer is always kept)
   */
  public record Options(long maxResidentBytes) {
    public Options {
      if (maxResidentBytes <= 0) {
        throw new IllegalArgumentException("maxResidentBytes must be positive, got " + maxResidentBytes);
      }
    }

    /** Half of the native memory ND4J may use (JavaCPP's limit), or of physical memory if unlimited. */
    public static Options defaults() {
      long limit = Pointer.maxBytes() > 0 ? Pointer.maxBytes() : Pointer.totalPhysicalBytes();
      return new Options(Math.max(1, limit / 2));
    }
  }

  private final SortedMap<Integer, SaeConfig> configs;
  private final Options options;
  private final LinkedHashMap<Integer, Sae> resident = new LinkedHashMap<>(16, 0.75f, true); // LRU order
  private long residentBytes;

  private SaeSet(SortedMap<Integer, SaeConfig> configs, Options options) {
    this.configs = Collections.unmodifiableSortedMap(configs);
    this.options = options;
  }

  /**
   * Opens the SAEs of {@code sources} for a model of width {@code dModel} with {@code nLayers} layers. A
   * source that is itself an SAE directory gives one SAE; otherwise every SAE directory below it (up to 3
   * levels) gives one.
   */
  public static SaeSet open(List<Source> sources, int dModel, int nLayers, Options options) {
    if (sources.isEmpty()) {
      throw new SaeException("no SAE given");
    }
    SortedMap<Integer, SaeConfig> configs = new TreeMap<>();
    for (Source src : sources) {
      for (Path dir : saeDirs(src.dir())) {
        SaeConfig c = Sae.readConfig(dir, SaeLayout.detect(dir), src.layer());
        if (c.dIn() != dModel) {
          throw new SaeException(dir + ": SAE d_in " + c.dIn() + " does not match the model's d_model " + dModel);
        }
        if (c.layer() >= nLayers) {
          throw new SaeException(
              dir + ": SAE hook " + c.hookName() + " is past the model's last layer " + (nLayers - 1));
        }
        SaeConfig prev = configs.putIfAbsent(c.layer(), c);
        if (prev != null) {
          throw new SaeException(
              "two SAEs for layer " + c.layer() + ": " + prev.source() + " and " + dir + " (give one per layer)");
        }
      }
    }
    return new SaeSet(configs, options);
  }

  /**
   * The SAE directories at or below {@code root}. Every folder is accounted for: one holding part of an
   * SAE (config without weights, or weights without config) and a {@code layer_N} folder with no SAE in it
   * are errors naming the folder, never skipped.
   */
  private static List<Path> saeDirs(Path root) {
    if (!Files.isDirectory(root)) {
      throw new SaeException(root + ": not a directory (expected an SAE directory or a directory of them)");
    }
    if (!SaeLayout.present(root).isEmpty()) {
      return List.of(root);
    }
    List<Path> found = new ArrayList<>();
    List<Path> layerFolders = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root, MAX_DEPTH)) {
      for (Path p : walk.filter(Files::isDirectory).sorted().toList()) {
        SaeLayout.incomplete(p).ifPresent(lack -> {
          throw new SaeException(p + ": incomplete SAE directory: it has " + lack);
        });
        if (!p.equals(root) && !SaeLayout.present(p).isEmpty()) {
          found.add(p);
        }
        if (p.getParent() != null && p.getParent().equals(root) && LAYER_FOLDER.matcher(p.getFileName().toString()).matches()) {
          layerFolders.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(root + ": cannot list: " + e.getMessage(), e);
    }
    if (found.isEmpty()) {
      throw new SaeException(
          root + ": no SAE in this directory or its subdirectories; expected one of: " + SaeLayout.expectedFiles());
    }
    for (Path layer : layerFolders) {
      if (found.stream().noneMatch(d -> d.startsWith(layer))) {
        throw new SaeException(layer + ": layer folder holds no SAE (up to " + MAX_DEPTH
            + " levels down); expected one of: " + SaeLayout.expectedFiles());
      }
    }
    return found;
  }

  /** Layers that have an SAE, ascending. */
  public SortedSet<Integer> layers() {
    return new TreeSet<>(configs.keySet());
  }

  /** Whether layer {@code layer} has an SAE. */
  public boolean contains(int layer) {
    return configs.containsKey(layer);
  }

  /** The config of layer {@code layer}'s SAE (no weights loaded). */
  public SaeConfig config(int layer) {
    SaeConfig c = configs.get(layer);
    if (c == null) {
      throw new SaeException("no SAE for layer " + layer + " (SAE layers: " + configs.keySet() + ")");
    }
    return c;
  }

  /** All configs by layer. */
  public Map<Integer, SaeConfig> configs() {
    return configs;
  }

  /** Layer {@code layer}'s SAE, loading (and widening) its weights on first use. */
  public synchronized Sae get(int layer) {
    Sae s = resident.get(layer);
    if (s != null) {
      return s;
    }
    SaeConfig c = config(layer);
    s = Sae.load(c);
    resident.put(layer, s);
    residentBytes += c.weightBytes();
    // Drop least recently used layers over budget; callers holding one keep it alive until they let go.
    var it = resident.entrySet().iterator();
    while (residentBytes > options.maxResidentBytes() && resident.size() > 1) {
      Map.Entry<Integer, Sae> eldest = it.next();
      residentBytes -= eldest.getValue().config().weightBytes();
      it.remove();
    }
    return s;
  }

  /** Layers whose weights are loaded now, least recently used first. */
  public synchronized List<Integer> residentLayers() {
    return List.copyOf(resident.keySet());
  }

  /** Float32 weight bytes loaded now. */
  public synchronized long residentBytes() {
    return residentBytes;
  }
}
