package refusallens.core.model.arch;

import java.nio.file.Path;
import java.util.Arrays;

/** The MLP activation functions of the supported architectures (HF {@code hidden_act} names). */
public enum Activation {
  /** GELU with the tanh approximation ({@code gelu_pytorch_tanh}), Gemma's MLP. */
  GELU_TANH("gelu_pytorch_tanh"),
  /** x * sigmoid(x), Llama's MLP. */
  SILU("silu");

  private final String hfName;

  Activation(String hfName) {
    this.hfName = hfName;
  }

  public String hfName() {
    return hfName;
  }

  /** Parses a HF activation name; {@code gelu_tanh} is accepted as an alias of the tanh GELU. */
  public static Activation parse(String name, Path file) {
    if ("gelu_tanh".equals(name)) {
      return GELU_TANH;
    }
    for (Activation a : values()) {
      if (a.hfName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        file + ": unsupported activation '" + name + "'; supported: "
            + Arrays.stream(values()).map(Activation::hfName).toList());
  }
}
