package refusallens.service.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.PositionSummaries;
import refusallens.refusal.extract.StoreTensor;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.probes.Probe;
import refusallens.probes.view.ViewBlock;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The probe's input row of a live forward pass: each view block's columns (residual dimensions of {@code
 * blocks.L.hook_resid_post} or SAE features of that layer's SAE, summarised by the block's position rule)
 * computed by {@link PositionSummaries}, the code that writes the activation stores the probe was trained on,
 * and picked out of its tensors as {@link ViewBlock#read} picks them out of a store.
 */
final class ProbeInput {

  /** One column of the probe's input that is an SAE feature. */
  record FeatureColumn(int column, int layer, int index) {}

  private final List<ViewBlock> blocks;
  private final Map<String, StoreTensor> tensors; // by name: what extract would store for these blocks
  private final PositionSummaries summaries;
  private final List<FeatureColumn> featureColumns;
  private final int width;

  ProbeInput(Probe probe, SaeSet saes, Tokenizer tokenizer, int dModel, int numLayers, String probeFile) {
    this.blocks = probe.view().blocks();
    this.summaries = new PositionSummaries(tokenizer, saes);
    List<FeatureColumn> cols = new ArrayList<>();
    Map<String, TreeSet<Integer>> saeFeatures = new LinkedHashMap<>(); // null value: all features
    Map<String, ViewBlock> firstBlock = new LinkedHashMap<>();
    int col = 0;
    for (ViewBlock b : blocks) {
      if (b.layer() >= numLayers) {
        throw new IllegalArgumentException(
            probeFile + ": the view reads layer " + b.layer() + " but the model has " + numLayers + " layers");
      }
      firstBlock.putIfAbsent(b.tensorName(), b);
      if (b.kind() == StoreTensor.Kind.RESID_POST) {
        int max = b.indices() == null ? b.width() : b.indices().stream().mapToInt(i -> i + 1).max().orElse(0);
        if (max > dModel) {
          throw new IllegalArgumentException(
              probeFile + ": the view reads residual dimension " + (max - 1) + " but d_model is " + dModel);
        }
      } else {
        if (!saes.contains(b.layer())) {
          throw new IllegalArgumentException(
              probeFile + ": the view reads SAE features at layer " + b.layer() + " but no SAE is loaded there"
                  + " (SAE layers: " + saes.layers() + ")");
        }
        int dSae = saes.config(b.layer()).dSae();
        if (b.indices() == null && b.width() != dSae) {
          throw new IllegalArgumentException(
              probeFile + ": the view reads all " + b.width() + " SAE features at layer " + b.layer()
                  + " but the SAE has " + dSae);
        }
        for (int j = 0; j < b.width(); j++) {
          int index = b.indices() == null ? j : b.indices().get(j);
          if (index >= dSae) {
            throw new IllegalArgumentException(
                probeFile + ": the view reads feature " + index + " at layer " + b.layer() + " but the SAE has "
                    + dSae);
          }
          cols.add(new FeatureColumn(col + j, b.layer(), index));
        }
        String name = b.tensorName();
        if (b.indices() == null) {
          saeFeatures.put(name, null);
        } else if (!saeFeatures.containsKey(name) || saeFeatures.get(name) != null) {
          saeFeatures.computeIfAbsent(name, n -> new TreeSet<>()).addAll(b.indices());
        }
      }
      col += b.width();
    }
    if (col != probe.width()) {
      throw new IllegalArgumentException(probeFile + ": view blocks give " + col + " columns, probe has " + probe.width());
    }
    Map<String, StoreTensor> byName = new LinkedHashMap<>();
    firstBlock.forEach((name, b) -> {
      if (b.kind() == StoreTensor.Kind.RESID_POST) {
        byName.put(name, StoreTensor.residPost(b.layer(), b.position(), dModel));
      } else {
        TreeSet<Integer> list = saeFeatures.get(name);
        byName.put(name, list == null
            ? StoreTensor.saeActs(b.layer(), b.position(), saes.config(b.layer()).dSae())
            : StoreTensor.saeFeatures(b.layer(), b.position(), List.copyOf(list)));
      }
    });
    this.tensors = byName;
    this.featureColumns = List.copyOf(cols);
    this.width = col;
  }

  /** The hook points one forward pass must capture. */
  Set<HookName> hooks() {
    return PositionSummaries.hooks(List.copyOf(tensors.values()));
  }

  /**
   * The forward pass the rows need: when every block reads the last token, the deepest layer computes the
   * last slot only (about a quarter of a 4-layer pass saved).
   */
  ForwardRequest request() {
    boolean lastOnly = tensors.values().stream().allMatch(t -> t.position() == PositionRule.LAST);
    return lastOnly ? ForwardRequest.captureLastSlots(hooks()) : ForwardRequest.captureOnly(hooks());
  }

  /** The columns that are SAE features, in column order. */
  List<FeatureColumn> featureColumns() {
    return featureColumns;
  }

  /** The input rows of the prompts {@code ids} from their left-padded forward pass {@code result}. */
  double[][] rows(List<int[]> ids, ForwardResult result) {
    Map<String, float[][]> summarised = summaries.summarise(ids, result, List.copyOf(tensors.values()));
    double[][] x = new double[ids.size()][width];
    int col = 0;
    for (ViewBlock b : blocks) {
      StoreTensor t = tensors.get(b.tensorName());
      float[][] values = summarised.get(t.name()); // [prompts, t.width()]
      for (int j = 0; j < b.width(); j++) {
        int from = t.columnOf(b.indices() == null ? j : b.indices().get(j));
        for (int r = 0; r < ids.size(); r++) {
          x[r][col + j] = values[r][from];
        }
      }
      col += b.width();
    }
    return x;
  }
}
