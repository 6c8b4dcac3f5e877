package refusallens.core.model;

/**
 * A function at a hook point: it observes the activation (returns null) or replaces it (returns a
 * tensor of the same shape, [batch, chunk, d_model]).
 *
 * @param <T> the tensor type of the pass (INDArray eager, SDVariable for gradients)
 */
@FunctionalInterface
public interface Hook<T> {
  T apply(T activation, HookName name, HookContext<T> context);
}
