package refusallens.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Per-call KV cache of the eager path: one growing [batch, kv_heads, slots, head_dim] pair per layer. */
public final class EagerKvCache implements KvCache<INDArray> {
  private final INDArray[] keys;
  private final INDArray[] values;

  public EagerKvCache(int numLayers) {
    keys = new INDArray[numLayers];
    values = new INDArray[numLayers];
  }

  @Override
  public Entry<INDArray> append(int layer, INDArray k, INDArray v) {
    k = EagerOps.contiguous(k);
    v = EagerOps.contiguous(v);
    keys[layer] = keys[layer] == null ? k : Nd4j.concat(2, keys[layer], k);
    values[layer] = values[layer] == null ? v : Nd4j.concat(2, values[layer], v);
    return new Entry<>(keys[layer], values[layer]);
  }
}
