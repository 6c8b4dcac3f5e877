package refusallens.core.model;

import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Output of an eager forward pass: logits ([B, S, vocab] for every slot, [B, vocab] for the last) when
 * requested, and captured activations [B, S, d_model] by hook name.
 */
public record ForwardResult(Optional<INDArray> logitsIfComputed, Map<HookName, INDArray> activations) {
  public ForwardResult {
    activations = Map.copyOf(activations);
  }

  public INDArray logits() {
    return logitsIfComputed.orElseThrow(() -> new IllegalStateException("logits were not requested"));
  }

  public INDArray activation(HookName name) {
    INDArray a = activations.get(name);
    if (a == null) {
      throw new IllegalArgumentException("activation " + name + " was not captured");
    }
    return a;
  }
}
