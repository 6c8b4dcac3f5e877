package refusallens.intervention;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.sae.Sae;

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
    if (iv.layer() != sae.layer()) {
      throw new IllegalArgumentException(
          "intervention at layer " + iv.layer() + " given the SAE of layer " + sae.layer() + " (" + sae.hookName() + ")");
    }
    int seq = (int) resid.size(0);
    for (int r : rows) {
      if (r < 0 || r >= seq) {
        throw new IllegalArgumentException("row " + r + " outside a residual stream of " + seq + " positions");
      }
    }
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

  private static void checkResid(INDArray resid, Sae sae) {
    if (resid.rank() != 2 || resid.size(1) != sae.dIn()) {
      throw new IllegalArgumentException(
          "feature clamp at " + sae.hookName() + " needs resid [seq, " + sae.dIn() + "], got " + Arrays.toString(resid.shape()));
    }
  }
}
