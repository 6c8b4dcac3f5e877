package refusallens.core.intervention;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.sae.Sae;

/**
 * The feature clamp on the residual stream: for the edited positions, resid += sum_i (new a_i - a_i) *
 * W_dec[i], with a = the SAE's activations of the unedited resid. Only that difference is added, so the SAE's
 * reconstruction error stays in the stream. Pure math: the runtime calls it from its hook.
 */
public final class FeatureClamp {
  private FeatureClamp() {}

  /**
   * The edit [seq, d] of one entry: zero outside {@code rows}, sum_i (new a_i - a_i) * W_dec[i] on them.
   *
   * @param resid residual stream at the SAE's hook [seq, d_in]
   * @param rows row indices of {@code resid} to edit
   */
  public static INDArray edit(INDArray resid, Sae sae, FeatureIntervention iv, int[] rows) {
    checkResid(resid, sae);
    int seq = (int) resid.size(0);
    checkLayerAndRows(sae, iv, rows, seq);
    INDArray out = Nd4j.zeros(DataType.FLOAT, seq, sae.dIn()); // [seq, d]
    if (rows.length == 0) {
      return out;
    }
    int[] feats = iv.featureArray();
    INDArray x = resid.castTo(DataType.FLOAT).getRows(rows); // [r, d]
    INDArray a = sae.encodeFeatures(x, feats); // [r, k]
    INDArray target = a.dup(); // [r, k]
    if (iv.scale() != null) {
      target.muli(iv.scale());
    } else {
      target.assign(iv.value());
    }
    INDArray delta = target.subi(a).mmul(sae.decoderRows(feats)); // [r, k] @ [k, d] -> [r, d]
    for (int j = 0; j < rows.length; j++) {
      out.putRow(rows[j], delta.getRow(j));
    }
    return out;
  }

  /**
   * The same edit [seq, d] on the plain-Java backend ({@code resid} [seq, d_in] on the heap), so a clamped
   * plain-Java pass does not copy its activations through ND4J.
   */
  public static FloatTensor edit(FloatTensor resid, Sae sae, FeatureIntervention iv, int[] rows) {
    if (resid.rank() != 2 || resid.size(1) != sae.dIn()) {
      throw new IllegalArgumentException(
          "feature clamp at " + sae.hookName() + " needs resid [seq, " + sae.dIn() + "], got "
              + Arrays.toString(resid.shape()));
    }
    checkLayerAndRows(sae, iv, rows, resid.size(0));
    int d = sae.dIn();
    float[] out = new float[resid.size(0) * d];
    if (rows.length == 0) {
      return new FloatTensor(out, resid.size(0), d);
    }
    int[] feats = iv.featureArray();
    float[] x = new float[rows.length * d];
    for (int j = 0; j < rows.length; j++) {
      System.arraycopy(resid.data(), rows[j] * d, x, j * d, d);
    }
    float[] a = sae.encodeFeatures(new FloatTensor(x, rows.length, d), feats).data(); // [r, k]
    float[][] dec = new float[feats.length][];
    for (int f = 0; f < feats.length; f++) {
      dec[f] = sae.decoderRowValues(feats[f]);
    }
    for (int j = 0; j < rows.length; j++) {
      int o = rows[j] * d;
      for (int f = 0; f < feats.length; f++) {
        float ai = a[j * feats.length + f];
        float change = (iv.scale() != null ? ai * iv.scale().floatValue() : iv.value().floatValue()) - ai;
        if (change != 0f) {
          float[] row = dec[f];
          for (int c = 0; c < d; c++) {
            out[o + c] += change * row[c];
          }
        }
      }
    }
    return new FloatTensor(out, resid.size(0), d);
  }

  /** resid + the edit of one entry at {@code rows} (a new array; {@code resid} is not modified). */
  public static INDArray apply(INDArray resid, Sae sae, FeatureIntervention iv, int[] rows) {
    return resid.castTo(DataType.FLOAT).add(edit(resid, sae, iv, rows));
  }

  /**
   * resid [chunk, d] plus the edits of every entry (all at {@code sae}'s layer), each at its own positions;
   * the chunk holds absolute positions {@code chunkStart ..}, the prompt has {@code promptLength} tokens.
   * All edits use the activations of the unedited resid.
   */
  public static INDArray apply(
      INDArray resid, Sae sae, List<FeatureIntervention> entries, long chunkStart, int promptLength) {
    checkResid(resid, sae);
    INDArray out = resid.castTo(DataType.FLOAT).dup();
    for (FeatureIntervention iv : entries) {
      int[] rows = iv.positions().rows(chunkStart, (int) resid.size(0), promptLength);
      out.addi(edit(resid, sae, iv, rows));
    }
    return out;
  }

  private static void checkLayerAndRows(Sae sae, FeatureIntervention iv, int[] rows, int seq) {
    if (iv.layer() != sae.layer()) {
      throw new IllegalArgumentException(
          "intervention at layer " + iv.layer() + " given the SAE of layer " + sae.layer() + " (" + sae.hookName() + ")");
    }
    for (int r : rows) {
      if (r < 0 || r >= seq) {
        throw new IllegalArgumentException("row " + r + " outside a residual stream of " + seq + " positions");
      }
    }
  }

  private static void checkResid(INDArray resid, Sae sae) {
    if (resid.rank() != 2 || resid.size(1) != sae.dIn()) {
      throw new IllegalArgumentException(
          "feature clamp at " + sae.hookName() + " needs resid [seq, " + sae.dIn() + "], got " + Arrays.toString(resid.shape()));
    }
  }
}
