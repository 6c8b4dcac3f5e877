package refusallens.cli;

import picocli.CommandLine.Option;
import refusallens.core.model.weights.WeightStore;

/** The {@code --streamed} of the commands that load a whole model (a picocli mixin): weights resident or mapped. */
final class StreamedOption {
  @Option(names = "--streamed", description = "Keep the weights as mapped bf16 and widen each layer's at use (an 8B model"
      + " in about a quarter of the memory of float32, slower).")
  boolean streamed;

  /** The residency --streamed asks for. */
  WeightStore.Residency residency() {
    return streamed ? WeightStore.Residency.STREAMED : WeightStore.Residency.RESIDENT;
  }
}
