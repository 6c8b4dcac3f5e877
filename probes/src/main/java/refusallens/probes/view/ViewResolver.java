package refusallens.probes.view;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.StoreTensor;
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
   * The activation-matched control: for each SAE feature of the inner view, a feature of the same layer
   * and position, drawn (seeded) among the {@link #MATCH_CANDIDATES} stored features closest to it in firing
   * rate and mean activation over the store's rows, never silent ones and never the inner view's own.
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
      ActivityStats stats = stats(t);
      List<Integer> own = b.indices() == null ? List.of() : b.indices();
      Set<Integer> taken = new HashSet<>(own);
      List<Integer> pick = new ArrayList<>();
      for (int f : own) {
        int target = t.columnOf(f);
        if (target < 0) {
          throw new IllegalArgumentException("view '" + spec + "': tensor " + t.name() + " does not hold SAE feature " + f);
        }
        List<Integer> pool = new ArrayList<>();
        for (int c = 0; c < t.width(); c++) {
          int id = t.features() == null ? c : t.features().get(c);
          if (!taken.contains(id) && stats.rate[c] > 0) pool.add(c);
        }
        if (pool.isEmpty()) {
          throw new IllegalArgumentException(
              "view '" + spec + "': layer " + b.layer() + " stores no other active SAE feature for the random control"
                  + " (extract all SAE features of the layer)");
        }
        pool.sort(java.util.Comparator.comparingDouble((Integer c) -> stats.distance(target, c)).thenComparingInt(c -> c));
        int c = pool.get(rng.nextInt(Math.min(MATCH_CANDIDATES, pool.size())));
        int id = t.features() == null ? c : t.features().get(c);
        taken.add(id);
        pick.add(id);
      }
      out.add(new ViewBlock(StoreTensor.Kind.SAE_ACTS, b.layer(), b.position(), pick.size(), pick));
    }
    return out;
  }

  /** How many nearest features (by firing rate and mean activation) the random control draws from. */
  public static final int MATCH_CANDIDATES = 5;

  /** Per column of an SAE tensor: share of rows where it fires, and its mean activation. */
  public record ActivityStats(double[] rate, double[] mean) {
    /** Distance in log firing rate plus distance in log mean activation. */
    double distance(int a, int b) {
      return Math.abs(Math.log((rate[a] + 1e-3) / (rate[b] + 1e-3))) + Math.abs(Math.log((mean[a] + 1e-6) / (mean[b] + 1e-6)));
    }
  }

  private final Map<String, ActivityStats> statsCache = new LinkedHashMap<>();

  /** Firing rate and mean activation of every column of an SAE tensor over all store rows (labels unused). */
  public ActivityStats stats(StoreTensor t) {
    return statsCache.computeIfAbsent(t.name(), n -> {
      int[] all = java.util.stream.IntStream.range(0, store.size()).toArray();
      double[][] x = store.matrix(n, all);
      double[] rate = new double[t.width()];
      double[] mean = new double[t.width()];
      for (double[] row : x) {
        for (int c = 0; c < row.length; c++) {
          if (row[c] > 0) rate[c]++;
          mean[c] += row[c];
        }
      }
      for (int c = 0; c < rate.length; c++) {
        rate[c] /= Math.max(1, x.length);
        mean[c] /= Math.max(1, x.length);
      }
      return new ActivityStats(rate, mean);
    });
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
