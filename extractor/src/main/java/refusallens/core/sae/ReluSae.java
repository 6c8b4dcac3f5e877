package refusallens.core.sae;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** SAELens "standard" SAE: acts = relu(pre). */
public final class ReluSae extends Sae {
  ReluSae(SaeConfig config, INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec) {
    super(config, wEnc, bEnc, wDec, bDec);
  }

  @Override
  protected INDArray activate(INDArray pre, int[] features) {
    return Transforms.relu(pre, false);
  }

  @Override
  void activate(float[] pre, int rows) {
    for (int i = 0; i < pre.length; i++) {
      pre[i] = Math.max(pre[i], 0f);
    }
  }
}
