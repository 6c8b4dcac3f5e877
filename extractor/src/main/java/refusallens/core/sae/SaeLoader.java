package refusallens.core.sae;

import java.nio.file.Path;
import java.util.OptionalInt;
import refusallens.core.model.HookName;

/** Reads one on-disk SAE layout: its config (cheap, no weights) and then its weights. */
sealed interface SaeLoader permits SaeLensLoader, GemmaScopeLoader, LlamaScopeLoader {
  /**
   * The SAE's config from its JSON and tensor headers; {@code layer}, when given, must agree with the
   * SAE's own hook (and supplies it where the layout has none).
   */
  SaeConfig readConfig(Path dir, OptionalInt layer);

  /** Loads the weights (widened to float32, folded as the config says). */
  Sae load(SaeConfig config);

  /** The hook point of an SAE config; a clear error naming the file for a hook the runtime lacks. */
  static HookName parseHook(Path file, String hookName) {
    try {
      return HookName.parse(hookName);
    } catch (IllegalArgumentException e) {
      throw new SaeException(file + ": " + e.getMessage(), e);
    }
  }

  /** Checks an explicitly requested layer against the SAE's own. */
  static void checkLayer(Path file, HookName hook, OptionalInt requested) {
    if (requested.isPresent() && requested.getAsInt() != hook.layer()) {
      throw new SaeException(
          file + ": SAE hook is " + hook + " (layer " + hook.layer() + "), but layer " + requested.getAsInt() + " was asked for");
    }
  }
}
