package refusallens.probes.view;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import refusallens.extract.ActivationStore;
import refusallens.extract.PositionRule;
import refusallens.extract.StoreTensor;
import refusallens.refusal.FeaturesFile;

/**
 * Turns view specs into column blocks of one activation store. {@code raw:best} is resolved by the caller
 * (it needs training); here it stands for the candidate layers, see {@link #rawLayers}.
 */
public final class ViewResolver {
  private final ActivationStore store;
  private final FeaturesFile features;
  private final long seed;

  /**
   * @param features features.json, or null when no feature-list view is used
   * @param seed seed of the random-feature control
   */
  public ViewResolver(ActivationStore store, FeaturesFile features, long seed) {
    this.store = store;
    this.features = features;
    this.seed = seed;
  }

  /** Resolves {@code spec}; {@code raw:best} must have been replaced by a layer first. */
  public ResolvedView resolve(String spec) {
    ViewSpec v = ViewSpec.parse(spec);
    return new ResolvedView(spec, v.toString(), blocks(v, spec));
  }

  /** Resolves a parsed spec with {@code raw:best} replaced by {@code raw:layer}. */
  public ResolvedView resolveWithBestLayer(String spec, int layer) {
    ViewSpec v = replaceBest(ViewSpec.parse(spec), layer);
    return new ResolvedView(spec, v.toString(), blocks(v, spec));
  }

  /** Whether the spec contains {@code raw:best}. */
  public static boolean needsBestLayer(String spec) {
    return containsBest(ViewSpec.parse(spec));
  }

  /** The position rule of the (first) {@code raw:best} term of a spec. */
  public static PositionRule bestPosition(String spec) {
    return findBest(ViewSpec.parse(spec));
  }

  /** Layers with a stored {@code resid_post} at the position rule: the candidates of {@code raw:best}. */
  public List<Integer> rawLayers(PositionRule position) {
    return store.header().tensors().stream()
        .filter(t -> t.kind() == StoreTensor.Kind.RESID_POST && t.position() == position)
        .map(StoreTensor::layer)
        .sorted()
        .toList();
  }

  private List<ViewBlock> blocks(ViewSpec v, String spec) {
    List<ViewBlock> out = new ArrayList<>();
    if (v instanceof ViewSpec.Raw r) {
      if (r.layer() == null) throw new IllegalStateException("raw:best must be resolved by training first");
      StoreTensor t = tensor(StoreTensor.Kind.RESID_POST, r.layer(), r.position(), spec);
      out.add(new ViewBlock(StoreTensor.Kind.RESID_POST, r.layer(), r.position(), t.width(), null));
    } else if (v instanceof ViewSpec.SaeAll s) {
      StoreTensor t = tensor(StoreTensor.Kind.SAE_ACTS, s.layer(), s.position(), spec);
      if (t.features() != null) {
        throw new IllegalArgumentException(
            "view '" + spec + "': " + t.name() + " holds a feature list, not all SAE features of layer " + s.layer());
      }
      out.add(new ViewBlock(StoreTensor.Kind.SAE_ACTS, s.layer(), s.position(), t.width(), null));
    } else if (v instanceof ViewSpec.Features f) {
      out.addAll(featureBlocks(listOf(f, spec), f.position(), spec));
    } else if (v instanceof ViewSpec.Random r) {
      out.addAll(randomBlocks(r, spec));
    } else if (v instanceof ViewSpec.Concat c) {
      c.parts().forEach(p -> out.addAll(blocks(p, spec)));
    }
    return out;
  }

  private List<FeaturesFile.Feature> listOf(ViewSpec.Features f, String spec) {
    if (features == null) {
      throw new IllegalArgumentException(
          "view '" + spec + "' needs features.json (--features FILE, or features.json in the extract directory)");
    }
    List<FeaturesFile.Feature> list = f.set().select(features);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("view '" + spec + "': features.json lists no " + f.set().id() + " feature");
    }
    return list;
  }

  /** One block per layer, features in file order within a layer, layers in first-appearance order. */
  private List<ViewBlock> featureBlocks(List<FeaturesFile.Feature> list, PositionRule pos, String spec) {
    Map<Integer, List<Integer>> byLayer = new LinkedHashMap<>();
    for (FeaturesFile.Feature f : list) byLayer.computeIfAbsent(f.layer(), k -> new ArrayList<>()).add(f.index());
    List<ViewBlock> out = new ArrayList<>();
    byLayer.forEach(
        (layer, idx) -> {
          tensor(StoreTensor.Kind.SAE_ACTS, layer, pos, spec); // fails clearly when the layer is missing
          out.add(new ViewBlock(StoreTensor.Kind.SAE_ACTS, layer, pos, idx.size(), idx));
        });
    return out;
  }

  /**
   * Same count per layer as the inner view's SAE features, drawn (seeded) from the features the store
   * holds at that layer, excluding the inner view's own features.
   */
  private List<ViewBlock> randomBlocks(ViewSpec.Random r, String spec) {
    List<ViewBlock> inner = blocks(r.of(), spec);
    SplittableRandom rng = new SplittableRandom(seed);
    List<ViewBlock> out = new ArrayList<>();
    for (ViewBlock b : inner) {
      if (b.kind() != StoreTensor.Kind.SAE_ACTS) {
        throw new IllegalArgumentException("view '" + spec + "': random(...) takes SAE feature views only");
      }
      StoreTensor t = tensor(StoreTensor.Kind.SAE_ACTS, b.layer(), b.position(), spec);
      Set<Integer> exclude = new HashSet<>(b.indices() == null ? List.of() : b.indices());
      List<Integer> pool = new ArrayList<>();
      for (int c = 0; c < t.width(); c++) {
        int id = t.features() == null ? c : t.features().get(c);
        if (!exclude.contains(id)) pool.add(id);
      }
      if (pool.size() < b.width()) {
        throw new IllegalArgumentException(
            "view '" + spec + "': layer " + b.layer() + " stores " + pool.size() + " other SAE features, "
                + b.width() + " needed for the random control (extract all SAE features of the layer)");
      }
      for (int i = 0; i < b.width(); i++) { // partial Fisher-Yates
        int j = i + rng.nextInt(pool.size() - i);
        Integer tmp = pool.get(i);
        pool.set(i, pool.get(j));
        pool.set(j, tmp);
      }
      List<Integer> pick = new ArrayList<>(pool.subList(0, b.width()));
      out.add(new ViewBlock(StoreTensor.Kind.SAE_ACTS, b.layer(), b.position(), pick.size(), pick));
    }
    return out;
  }

  private StoreTensor tensor(StoreTensor.Kind kind, int layer, PositionRule pos, String spec) {
    String name = StoreTensor.nameOf(kind, layer, pos);
    return store
        .tensor(name)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "view '" + spec + "' needs tensor '" + name + "', which activation store " + store.dir()
                        + " lacks; it has "
                        + store.header().tensors().stream().map(StoreTensor::name).toList()));
  }

  private static ViewSpec replaceBest(ViewSpec v, int layer) {
    if (v instanceof ViewSpec.Raw r && r.layer() == null) return new ViewSpec.Raw(layer, r.position());
    if (v instanceof ViewSpec.Concat c) {
      return new ViewSpec.Concat(c.parts().stream().map(p -> replaceBest(p, layer)).toList());
    }
    if (v instanceof ViewSpec.Random r) return new ViewSpec.Random(replaceBest(r.of(), layer));
    return v;
  }

  private static boolean containsBest(ViewSpec v) {
    return findBest(v) != null;
  }

  private static PositionRule findBest(ViewSpec v) {
    if (v instanceof ViewSpec.Raw r) return r.layer() == null ? r.position() : null;
    if (v instanceof ViewSpec.Concat c) {
      return c.parts().stream().map(ViewResolver::findBest).filter(p -> p != null).findFirst().orElse(null);
    }
    if (v instanceof ViewSpec.Random r) return findBest(r.of());
    return null;
  }
}
