package refusallens.probes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import refusallens.extract.ActivationStore;
import refusallens.extract.StoreRow;
import refusallens.probes.metrics.BinaryMetrics;
import refusallens.probes.metrics.Roc;
import refusallens.probes.train.DataSplit;
import refusallens.probes.train.ProbeTrainer;
import refusallens.probes.view.ResolvedView;
import refusallens.probes.view.ViewResolver;

/**
 * The paper's default set-up for one view: train on plain harmful vs harmless rows, pick the threshold on
 * validation, and evaluate on the ID test split and on every attack's harmful rows (against the ID test's
 * harmless rows).
 */
public final class ProbeExperiment {
  /** Name of the in-distribution test set. */
  public static final String ID = "id";

  /** Name of the validation set. */
  public static final String VALIDATION = "validation";

  /** One evaluation set's labels and logits, with its metrics. */
  public record Scored(int[] labels, double[] logits, BinaryMetrics metrics) {}

  /** A trained probe and its evaluation sets (validation, id, then each OOD set). */
  public record Result(Probe probe, Map<String, Scored> sets, Map<Integer, Double> bestLayerAuroc) {
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
    ProbeTrainer.Fitted fitted = fit(store, view, split, options);

    Map<String, int[]> setRows = new LinkedHashMap<>();
    setRows.put(VALIDATION, split.validation());
    setRows.put(ID, split.test());
    int[] negatives = split.testNegatives(rows);
    split.oodPositives().forEach((name, pos) -> {
      if (pos.length > 0) setRows.put(name, IntStream.concat(IntStream.of(pos), IntStream.of(negatives)).toArray());
    });
    Map<String, Scored> sets = new LinkedHashMap<>();
    Map<String, BinaryMetrics> metrics = new LinkedHashMap<>();
    long s = options.seed();
    for (var e : setRows.entrySet()) {
      int[] labels = DataSplit.labels(rows, e.getValue());
      double[] p = fitted.logits(view.matrix(store, e.getValue()));
      BinaryMetrics m = BinaryMetrics.of(labels, p, fitted.threshold(), bootstrap, s++);
      sets.put(e.getKey(), new Scored(labels, p, m));
      metrics.put(e.getKey(), m);
    }
    Provenance prov =
        new Provenance(
            store.dir().toString(), store.manifestHash(), store.header().dataset(), split.fractions(), options.seed(),
            Provenance.currentVersions());
    Probe probe =
        new Probe(
            Probe.SCHEMA_VERSION, Probe.KIND, options.kind(), ProbeView.of(view, store),
            fitted.standardization(), fitted.model(), fitted.threshold(), options.targetFpr(), fitted.lambda(),
            metrics, prov);
    return new Result(probe, sets, layerAuroc);
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
    Map<String, int[]> setRows = new LinkedHashMap<>();
    setRows.put(ID, split.test());
    int[] negatives = split.testNegatives(rows);
    split.oodPositives().forEach((name, pos) -> {
      if (pos.length > 0) setRows.put(name, IntStream.concat(IntStream.of(pos), IntStream.of(negatives)).toArray());
    });
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
