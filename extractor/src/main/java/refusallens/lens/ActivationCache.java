package refusallens.lens;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.HookName;

/**
 * What {@link Lens#runWithCache} returns (TransformerLens {@code ActivationCache}): the logits [B, S, vocab]
 * and the activations by hook name, each [B, S, width] over the left-padded batch.
 */
public final class ActivationCache {
  private final INDArray logits;
  private final Map<String, INDArray> activations;

  ActivationCache(INDArray logits, Map<CacheName, INDArray> activations) {
    this.logits = logits;
    Map<String, INDArray> byName = new LinkedHashMap<>();
    activations.forEach((k, v) -> byName.put(k.toString(), v));
    this.activations = Collections.unmodifiableMap(byName);
  }

  /** Logits [B, S, vocab]. */
  public INDArray logits() {
    return logits;
  }

  /** The activation named {@code name} (a model or SAE hook name); an error lists the names cached. */
  public INDArray get(String name) {
    INDArray a = activations.get(CacheName.parse(name).toString());
    if (a == null) {
      throw new IllegalArgumentException("'" + name + "' was not cached; cached: " + activations.keySet());
    }
    return a;
  }

  /** The activation at a model hook point. */
  public INDArray get(HookName name) {
    return get(name.toString());
  }

  /** The cached names, in the order asked for. */
  public Set<String> names() {
    return activations.keySet();
  }
}
