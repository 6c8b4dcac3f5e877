package refusallens.core.model.arch;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary embedding tables: inverse frequencies (with Llama-3 scaling when configured) and, for given
 * positions, cos/sin rows laid out as HF does (the half-dim frequencies repeated twice).
 */
public final class RopeTables {
  private final int headDim;
  private final float[] invFreq; // [head_dim / 2]

  public RopeTables(RopeConfig rope, int headDim) {
    this.headDim = headDim;
    int half = headDim / 2;
    invFreq = new float[half];
    for (int i = 0; i < half; i++) {
      // float32 like HF: 1 / theta^(2i / d)
      float exponent = (float) (2 * i) / headDim;
      invFreq[i] = (float) (1.0 / Math.pow(rope.theta(), exponent));
    }
    rope.llama3Scaling().ifPresent(this::applyLlama3);
  }

  /** HF {@code _compute_llama3_parameters}: long wavelengths slowed by {@code factor}, smooth in between. */
  private void applyLlama3(RopeConfig.Llama3Scaling s) {
    double oldContext = s.originalMaxPositionEmbeddings();
    double lowFreqWavelen = oldContext / s.lowFreqFactor();
    double highFreqWavelen = oldContext / s.highFreqFactor();
    for (int i = 0; i < invFreq.length; i++) {
      double f = invFreq[i];
      double wavelen = 2 * Math.PI / f;
      double scaled = wavelen > lowFreqWavelen ? f / s.factor() : f;
      boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
      if (medium) {
        double smooth = (oldContext / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
      }
      invFreq[i] = (float) scaled;
    }
  }

  public float[] invFreq() {
    return invFreq.clone();
  }

  /** cos and sin for each position: two [positions.length, 1, head_dim] arrays. */
  public INDArray[] cosSin(int[] positions) {
    float[][] v = cosSinValues(positions);
    long[] shape = {positions.length, 1, headDim};
    return new INDArray[] {Nd4j.create(v[0], shape, 'c'), Nd4j.create(v[1], shape, 'c')};
  }

  /** {@link #cosSin} as two c-order float arrays of [positions.length, 1, head_dim] values. */
  public float[][] cosSinValues(int[] positions) {
    int n = positions.length;
    int half = headDim / 2;
    float[] cos = new float[n * headDim];
    float[] sin = new float[n * headDim];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < half; i++) {
        float angle = invFreq[i] * (float) positions[r];
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[r * headDim + i] = c;
        cos[r * headDim + half + i] = c;
        sin[r * headDim + i] = s;
        sin[r * headDim + half + i] = s;
      }
    }
    return new float[][] {cos, sin};
  }

  /**
   * R with x R = rotate_half(x) = [-x2, x1]: a matrix product instead of slicing, since SameDiff's slice
   * gradients are unreliable.
   */
  public INDArray rotateHalfMatrix() {
    int half = headDim / 2;
    INDArray r = Nd4j.zeros(DataType.FLOAT, headDim, headDim);
    for (int j = 0; j < half; j++) {
      r.putScalar(j + half, j, -1f);
      r.putScalar(j, j + half, 1f);
    }
    return r;
  }
}
