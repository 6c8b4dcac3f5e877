package refusallens.core.sae;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** JumpReLU SAE (GemmaScope, LlamaScope): acts = (pre > threshold) * relu(pre), one threshold per feature. */
public final class JumpReluSae extends Sae {
  private final INDArray threshold; // [d_sae]
  /** The thresholds on the heap, for the plain-Java path (made on its first use). */
  private volatile float[] plainThreshold;

  JumpReluSae(SaeConfig config, INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec, INDArray threshold) {
    super(config, wEnc, bEnc, wDec, bDec);
    if (threshold == null) {
      throw new SaeException(config.source() + ": a JumpReLU SAE needs a threshold");
    }
    requireShape(config, "threshold", threshold, config.dSae());
    this.threshold = threshold;
  }

  /** The per-feature thresholds [d_sae] (do not modify). */
  public INDArray threshold() {
    return threshold;
  }

  @Override
  protected INDArray activate(INDArray pre, int[] features) {
    INDArray t = features == null ? threshold : Nd4j.createFromArray(select(threshold, features)); // [k]
    // pre > t, exactly: for finite floats a - b > 0 iff a > b.
    INDArray keep = pre.subRowVector(t).gt(0).castTo(DataType.FLOAT); // [n, k]
    return Transforms.relu(pre, false).muli(keep);
  }

  @Override
  void activate(float[] pre, int rows) {
    float[] t = plainThreshold;
    if (t == null) {
      t = refusallens.core.model.ops.FloatTensor.of(threshold).data();
      plainThreshold = t;
    }
    int m = t.length;
    for (int o = 0; o < pre.length; o += m) {
      for (int j = 0; j < m; j++) {
        float v = pre[o + j];
        pre[o + j] = v > t[j] ? Math.max(v, 0f) : 0f;
      }
    }
  }
}
