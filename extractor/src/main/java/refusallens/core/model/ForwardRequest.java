package refusallens.core.model;

import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one eager forward pass should produce: activations to capture, hooks to run, and which logits.
 * With {@link LogitScope#NONE} the pass stops after the deepest captured hook point.
 */
public record ForwardRequest(Set<HookName> capture, Hooks<INDArray> hooks, LogitScope logits, boolean lastSlotsOnly) {
  /**
   * @param lastSlotsOnly the caller reads every capture at each row's last slot only: the deepest layer then
   *     runs its queries, output projection and MLP on those slots alone (its capture holds zeros elsewhere);
   *     only without hooks and logits
   */
  public ForwardRequest {
    capture = Set.copyOf(new TreeSet<>(capture));
    java.util.Objects.requireNonNull(hooks, "hooks");
    java.util.Objects.requireNonNull(logits, "logits");
    if (lastSlotsOnly && (!hooks.names().isEmpty() || logits != LogitScope.NONE)) {
      throw new IllegalArgumentException("last-slot-only passes take no hooks and no logits");
    }
  }

  public ForwardRequest(Set<HookName> capture, Hooks<INDArray> hooks, LogitScope logits) {
    this(capture, hooks, logits, false);
  }

  /** Capture {@code names}, read only at each row's last slot (see {@code lastSlotsOnly}). */
  public static ForwardRequest captureLastSlots(Set<HookName> names) {
    return new ForwardRequest(names, Hooks.none(), LogitScope.NONE, true);
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
    return new ForwardRequest(capture, h, logits, lastSlotsOnly);
  }
}
