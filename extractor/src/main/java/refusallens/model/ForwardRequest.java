package refusallens.model;

import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one eager forward pass should produce: activations to capture, hooks to run, and which logits.
 * With {@link LogitScope#NONE} the pass stops after the deepest captured hook point.
 */
public record ForwardRequest(Set<HookName> capture, Hooks<INDArray> hooks, LogitScope logits) {
  public ForwardRequest {
    capture = Set.copyOf(new TreeSet<>(capture));
    java.util.Objects.requireNonNull(hooks, "hooks");
    java.util.Objects.requireNonNull(logits, "logits");
  }

  /** Logits at every position, nothing captured, no hooks. */
  public static ForwardRequest logitsOnly() {
    return new ForwardRequest(Set.of(), Hooks.none(), LogitScope.ALL);
  }

  /** Capture {@code names} and stop after the deepest of them (no logits). */
  public static ForwardRequest captureOnly(Set<HookName> names) {
    return new ForwardRequest(names, Hooks.none(), LogitScope.NONE);
  }

  public ForwardRequest withHooks(Hooks<INDArray> h) {
    return new ForwardRequest(capture, h, logits);
  }
}
