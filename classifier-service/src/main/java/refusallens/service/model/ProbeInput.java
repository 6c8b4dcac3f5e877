package refusallens.service.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.extract.PositionRule;
import refusallens.extract.StoreTensor;
import refusallens.model.HookName;
import refusallens.probes.Probe;
import refusallens.probes.view.ViewBlock;
import refusallens.sae.SaeSet;

/**
 * The probe's input row of a live forward pass: each view block's columns read at the prompt's last token
 * (position rule {@code last}: the last token of the chat template's generation prompt), residual
 * dimensions from {@code blocks.L.hook_resid_post} and SAE features from that layer's SAE.
 */
final class ProbeInput {

  /** One column of the probe's input that is an SAE feature. */
  record FeatureColumn(int column, int layer, int index) {}

  private final List<ViewBlock> blocks;
  private final SaeSet saes;
  private final List<FeatureColumn> featureColumns;
  private final int width;

  ProbeInput(Probe probe, SaeSet saes, int dModel, int numLayers, String probeFile) {
    this.blocks = probe.view().blocks();
    this.saes = saes;
    List<FeatureColumn> cols = new ArrayList<>();
    int col = 0;
    for (ViewBlock b : blocks) {
      if (b.position() != PositionRule.LAST) {
        throw new IllegalArgumentException(
            probeFile + ": the view reads position rule '" + b.position() + "' at layer " + b.layer()
                + "; the service scores probes on position rule 'last' only");
      }
      if (b.layer() >= numLayers) {
        throw new IllegalArgumentException(
            probeFile + ": the view reads layer " + b.layer() + " but the model has " + numLayers + " layers");
      }
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
        for (int j = 0; j < b.width(); j++) {
          int index = b.indices() == null ? j : b.indices().get(j);
          if (index >= dSae) {
            throw new IllegalArgumentException(
                probeFile + ": the view reads feature " + index + " at layer " + b.layer() + " but the SAE has "
                    + dSae);
          }
          cols.add(new FeatureColumn(col + j, b.layer(), index));
        }
      }
      col += b.width();
    }
    if (col != probe.width()) {
      throw new IllegalArgumentException(probeFile + ": view blocks give " + col + " columns, probe has " + probe.width());
    }
    this.featureColumns = List.copyOf(cols);
    this.width = col;
  }

  /** The hook points one forward pass must capture. */
  java.util.Set<HookName> hooks() {
    TreeSet<HookName> names = new TreeSet<>();
    for (ViewBlock b : blocks) {
      names.add(HookName.residPost(b.layer()));
    }
    return names;
  }

  /** The deepest layer read (the forward pass stops there). */
  List<FeatureColumn> featureColumns() {
    return featureColumns;
  }

  /**
   * The input rows of a left-padded batch: row b from the activations [B, S, d] at slot S - 1, where every
   * row's last real token sits.
   */
  double[][] rows(Map<HookName, INDArray> captured, int batch) {
    double[][] x = new double[batch][width];
    int col = 0;
    for (ViewBlock b : blocks) {
      INDArray act = captured.get(HookName.residPost(b.layer())); // [B, S, d]
      long last = act.size(1) - 1;
      INDArray lastTokens =
          act.get(NDArrayIndex.all(), NDArrayIndex.point(last), NDArrayIndex.all()).dup('c'); // [B, d]
      INDArray values; // [B, width]
      int[] idx = b.indices() == null ? null : b.indices().stream().mapToInt(Integer::intValue).toArray();
      if (b.kind() == StoreTensor.Kind.RESID_POST) {
        values = idx == null ? lastTokens : lastTokens.getColumns(idx);
      } else {
        var sae = saes.get(b.layer());
        values = idx == null ? sae.encode(lastTokens) : sae.encodeFeatures(lastTokens, idx);
      }
      double[][] v = values.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleMatrix();
      for (int r = 0; r < batch; r++) {
        System.arraycopy(v[r], 0, x[r], col, b.width());
      }
      col += b.width();
    }
    return x;
  }
}
