package refusallens.core.model.weights;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SafetensorsCheckpoint;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.TensorSource;

/**
 * Immutable float32 model weights by checkpoint name, shared by every thread. Either resident (widened
 * once at load) or streamed (the checkpoint's bf16 bytes mapped and widened at each use, one tensor at a
 * time, when float32 copies of all weights would not fit in memory).
 */
public interface WeightStore {
  /** The float32 tensor; callers must not modify it. */
  INDArray get(String name);

  /** Whether {@link #get} widens a fresh copy each time (the copy is garbage after use). */
  default boolean widensOnUse() {
    return false;
  }

  /** How weights are held in memory. */
  enum Residency {
    /** Widen every tensor to float32 once at load (fast; 4 bytes per parameter). */
    RESIDENT,
    /** Keep the checkpoint's bytes mapped and widen each tensor when used (2 bytes per bf16 parameter). */
    STREAMED
  }

  /**
   * Checks that every tensor in {@code specs} exists in {@code source} with the shape the config
   * implies, then holds them as {@code residency} says. Errors name the file, the tensor and the
   * config keys behind the expected shape.
   */
  static WeightStore load(TensorSource source, List<WeightSpec> specs, Residency residency) {
    for (WeightSpec spec : specs) {
      if (!source.contains(spec.name())) {
        throw new IllegalArgumentException(
            "checkpoint tensor '" + spec.name() + "' is missing (expected shape "
                + Arrays.toString(spec.shape()) + " from config.json " + spec.impliedBy() + ")");
      }
      long[] actual = source.info(spec.name()).shape();
      if (!Arrays.equals(actual, spec.shape())) {
        throw new IllegalArgumentException(
            source.fileOf(spec.name()) + ": tensor '" + spec.name() + "' has shape "
                + Arrays.toString(actual) + " but config.json (" + spec.impliedBy() + ") implies "
                + Arrays.toString(spec.shape()));
      }
    }
    Set<String> known = new java.util.HashSet<>();
    specs.forEach(s -> known.add(s.name()));
    if (residency == Residency.RESIDENT) {
      Map<String, INDArray> map = new HashMap<>();
      long sinceGc = 0;
      for (WeightSpec spec : specs) {
        map.put(spec.name(), widenUnmapped(source, spec.name()));
        sinceGc += source.info(spec.name()).byteLength();
        if (sinceGc > UNMAP_EVERY_BYTES) {
          System.gc(); // unmaps the file pages just widened, so they stop counting as resident
          sinceGc = 0;
        }
      }
      return of(map);
    }
    return new WeightStore() {
      @Override
      public INDArray get(String name) {
        if (!known.contains(name)) {
          throw new IllegalArgumentException("no such model weight: '" + name + "'");
        }
        // A mapping of its own per use, garbage once widened (the next release point's collection unmaps it):
        // the checkpoint's file pages then stay in the page cache but stop counting in this process's resident set,
        // where the cached whole-tensor mappings kept every page ever touched (13.7 GB of an 8B model).
        return widenUnmapped(source, name);
      }

      @Override
      public boolean widensOnUse() {
        return true;
      }
    };
  }

  /**
   * Refuses a checkpoint holding layers past the config's {@code num_hidden_layers}: a tensor the specs lack
   * whose name, with its layer number replaced by 0, is a spec's (e.g. {@code model.layers.5.mlp.up_proj.weight}
   * with 4 layers) would silently be left unused, giving a shallower model than the checkpoint's.
   */
  static void requireNoLayersPast(TensorSource source, List<WeightSpec> specs, int numLayers, java.nio.file.Path configFile) {
    Set<String> known = new java.util.HashSet<>();
    specs.forEach(s -> known.add(s.name()));
    java.util.regex.Pattern layered = java.util.regex.Pattern.compile("(.*?\\.)(\\d+)(\\..*)");
    int deepest = -1;
    String example = null;
    for (String name : new java.util.TreeSet<>(source.names())) {
      java.util.regex.Matcher m = layered.matcher(name);
      if (known.contains(name) || !m.matches() || !known.contains(m.group(1) + "0" + m.group(3))) {
        continue;
      }
      int layer = Integer.parseInt(m.group(2));
      if (layer >= numLayers && layer > deepest) {
        deepest = layer;
        example = name;
      }
    }
    if (example != null) {
      throw new IllegalArgumentException(configFile + ": num_hidden_layers is " + numLayers + " but the checkpoint ("
          + source.fileOf(example) + ") has layers up to " + deepest + " (tensor '" + example
          + "'); fix num_hidden_layers to " + (deepest + 1));
    }
  }

  /** Bytes widened between collections that release file mappings during a resident load. */
  long UNMAP_EVERY_BYTES = 512L << 20;

  /**
   * Widens one tensor through a mapping of its own that becomes garbage right after, so a resident
   * load never holds more than a few hundred MB of mapped checkpoint pages besides the float32 copies.
   */
  private static INDArray widenUnmapped(TensorSource source, String name) {
    if (source instanceof SafetensorsCheckpoint) {
      try (SafetensorsFile f = SafetensorsFile.open(source.fileOf(name))) {
        return f.getFloat(name);
      }
    }
    return source.getFloat(name);
  }

  /** Weights already in memory (tests, synthetic models, training). */
  static WeightStore of(Map<String, INDArray> tensors) {
    Map<String, INDArray> copy = Map.copyOf(tensors);
    return name -> {
      INDArray a = copy.get(name);
      if (a == null) {
        throw new IllegalArgumentException("no such model weight: '" + name + "'");
      }
      return a;
    };
  }
}
