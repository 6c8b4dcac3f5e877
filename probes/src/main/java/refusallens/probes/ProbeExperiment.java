package refusallens.probes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.StoreRow;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.probes.metrics.Roc;
import refusallens.probes.text.TextFeatures;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.ProbeTrainer;
import refusallens.probes.view.ResolvedView;
import refusallens.probes.view.ViewResolver;

/**
 * The paper's default set-up for one view: train on plain harmful vs harmless rows, pick the threshold on
 * validation, and evaluate on the ID test split and on every OOD set of the split (an attack's harmful rows
 * against the same attack's harmless rows, see {@link DataSplit}).
 */
public final class ProbeExperiment {
  /** Name of the in-distribution test set. */
  public static final String ID = "id";

  /** Name of the validation set. */
  public static final String VALIDATION = "validation";

  /** One evaluation set's store rows, labels and logits, with its metrics. */
  public record Scored(int[] rows, int[] labels, double[] logits, BinaryMetrics metrics) {}

  /**
   * A trained probe and its evaluation sets (validation, id, then each OOD set); {@code probe} is null for
   * the text baseline, which reads no activation ({@code width}, {@code lambda} and {@code threshold} describe
   * its classifier all the same).
   */
  public record Result(
      Probe probe, int width, Double lambda, double threshold, Map<String, Scored> sets, Map<Integer, Double> bestLayerAuroc) {
    /** The OOD sets only. */
    public Map<String, Scored> ood() {
      Map<String, Scored> m = new LinkedHashMap<>(sets);
      m.remove(ID);
      m.remove(VALIDATION);
      return m;
    }
  }

  private ProbeExperiment() {}

  /** Trains and evaluates {@code spec}; {@code raw:best} picks the layer with the best validation AUROC. */
  public static Result run(
      ActivationStore store,
      ViewResolver resolver,
      String spec,
      DataSplit split,
      ProbeTrainer.Options options,
      int bootstrap) {
    List<StoreRow> rows = store.rows();
    Map<Integer, Double> layerAuroc = new LinkedHashMap<>();
    ResolvedView view;
    if (ViewResolver.needsBestLayer(spec)) {
      List<Integer> layers = resolver.rawLayers(ViewResolver.bestPosition(spec));
      if (layers.isEmpty()) {
        throw new IllegalArgumentException(
            "view '" + spec + "': the store has no resid_post tensor at " + ViewResolver.bestPosition(spec));
      }
      ResolvedView best = null;
      double bestAuc = -1;
      for (int layer : layers) {
        ResolvedView v = resolver.resolveWithBestLayer(spec, layer);
        ProbeTrainer.Fitted f = fit(store, v, split, options);
        double[] p = f.logits(v.matrix(store, split.validation()));
        double auc = Roc.auroc(DataSplit.labels(rows, split.validation()), p);
        layerAuroc.put(layer, auc);
        if (auc > bestAuc + 1e-12) {
          bestAuc = auc;
          best = v;
        }
      }
      view = best;
    } else {
      view = resolver.resolve(spec);
    }
    ResolvedView chosen = view;
    Trained t = trainAndScore(store, rows1 -> chosen.matrix(store, rows1), split, options, bootstrap);
    Probe probe =
        new Probe(
            Probe.SCHEMA_VERSION, Probe.KIND, options.kind(), ProbeView.of(view, store),
            t.fitted().standardization(), t.fitted().model(), t.fitted().threshold(), options.targetFpr(),
            t.fitted().lambda(), metricsOf(t.sets()), provenance(store, split, options));
    return new Result(probe, probe.width(), t.fitted().lambda(), t.fitted().threshold(), t.sets(), layerAuroc);
  }

  /** Trains and evaluates the text baseline (hashed word and character n-grams of the prompt text). */
  public static Result runText(
      ActivationStore store, TextFeatures text, DataSplit split, ProbeTrainer.Options options, int bootstrap) {
    Trained t = trainAndScore(store, rows1 -> text.matrix(store.rows(), rows1), split, options, bootstrap);
    return new Result(null, TextFeatures.WIDTH, t.fitted().lambda(), t.fitted().threshold(), t.sets(), Map.of());
  }

  /** Threshold of a fitted probe and its scored sets. */
  private record Trained(ProbeTrainer.Fitted fitted, Map<String, Scored> sets) {}

  private static Trained trainAndScore(
      ActivationStore store, Function<int[], double[][]> matrix, DataSplit split, ProbeTrainer.Options options,
      int bootstrap) {
    List<StoreRow> rows = store.rows();
    ProbeTrainer.Fitted fitted = ProbeTrainer.train(
        matrix.apply(split.train()), DataSplit.labels(rows, split.train()),
        matrix.apply(split.validation()), DataSplit.labels(rows, split.validation()), options);
    Map<String, Scored> sets = new LinkedHashMap<>();
    long s = options.seed();
    for (var e : setRows(split).entrySet()) {
      int[] labels = DataSplit.labels(rows, e.getValue());
      double[] p = fitted.logits(matrix.apply(e.getValue()));
      BinaryMetrics m = BinaryMetrics.of(labels, p, fitted.threshold(), bootstrap, s++);
      sets.put(e.getKey(), new Scored(e.getValue(), labels, p, m));
    }
    return new Trained(fitted, sets);
  }

  /** Validation, ID test, then every OOD set with at least one positive and one row. */
  private static Map<String, int[]> setRows(DataSplit split) {
    Map<String, int[]> setRows = new LinkedHashMap<>();
    if (split.validation().length > 0) setRows.put(VALIDATION, split.validation());
    setRows.put(ID, split.test());
    split.ood().forEach((name, set) -> {
      if (set.positives().length > 0) setRows.put(name, set.rows());
    });
    return setRows;
  }

  private static Map<String, BinaryMetrics> metricsOf(Map<String, Scored> sets) {
    Map<String, BinaryMetrics> m = new LinkedHashMap<>();
    sets.forEach((k, v) -> m.put(k, v.metrics()));
    return m;
  }

  private static ProbeProvenance provenance(ActivationStore store, DataSplit split, ProbeTrainer.Options options) {
    return new ProbeProvenance(
        store.dir().toString(), store.manifestHash(), store.header().dataset(), split.fractions(), options.seed(),
        ProbeProvenance.currentVersions());
  }

  private static ProbeTrainer.Fitted fit(
      ActivationStore store, ResolvedView v, DataSplit split, ProbeTrainer.Options options) {
    List<StoreRow> rows = store.rows();
    return ProbeTrainer.train(
        v.matrix(store, split.train()), DataSplit.labels(rows, split.train()),
        v.matrix(store, split.validation()), DataSplit.labels(rows, split.validation()), options);
  }

  /** Evaluates a saved probe on the sets of a split of {@code store} (which must match its model and SAE). */
  public static Map<String, BinaryMetrics> evaluate(
      Probe probe, String probeFile, ActivationStore store, DataSplit split, int bootstrap, long seed) {
    List<StoreRow> rows = store.rows();
    Map<String, int[]> setRows = setRows(split);
    setRows.remove(VALIDATION);
    Map<String, BinaryMetrics> out = new LinkedHashMap<>();
    long s = seed;
    for (var e : setRows.entrySet()) {
      double[][] x = probe.view().matrix(store, e.getValue(), probeFile);
      double[] p = new double[x.length];
      for (int i = 0; i < x.length; i++) p[i] = probe.logit(x[i]);
      out.put(e.getKey(), BinaryMetrics.of(DataSplit.labels(rows, e.getValue()), p, probe.threshold(), bootstrap, s++));
    }
    return out;
  }
}
