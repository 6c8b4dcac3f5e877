package refusallens.core.model;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.model.ops.PlainJavaOps;

/**
 * A hook written for both eager backends: a pass runs the implementation of its own tensor type, so a hooked
 * plain-Java pass does not copy the activation into ND4J and back. It is an INDArray hook, so it goes wherever
 * {@code Hooks<INDArray>} go; other INDArray hooks still run on plain-Java passes, through a copy.
 *
 * @param nd4j the hook on ND4J passes
 * @param plainJava the same hook on {@link PlainJavaOps} passes
 */
public record EagerHook(Hook<INDArray> nd4j, Hook<FloatTensor> plainJava) implements Hook<INDArray> {
  public EagerHook {
    Objects.requireNonNull(nd4j, "nd4j");
    Objects.requireNonNull(plainJava, "plainJava");
  }

  @Override
  public INDArray apply(INDArray activation, HookName name, HookContext<INDArray> context) {
    return nd4j.apply(activation, name, context);
  }
}
