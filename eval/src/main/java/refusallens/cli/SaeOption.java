package refusallens.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The repeatable {@code --sae} of the commands that splice SAEs into a model (a picocli mixin): each value an SAE
 * directory, a directory of per-layer SAEs, or {@code LAYER=DIR}; what an empty list means is the command's.
 */
final class SaeOption {
  @Option(names = "--sae", paramLabel = "[LAYER=]DIR",
      description = "SAE directory, or a directory of per-layer SAEs; repeatable (LAYER= for a GemmaScope params.npz"
          + " outside a layer_N directory).")
  List<String> sae = new ArrayList<>();
}
