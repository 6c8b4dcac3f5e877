package refusallens.sae;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one on-disk SAE layout: its config (cheap, no weights) and then its weights. */
sealed interface SaeLoader permits SaeLensLoader, GemmaScopeLoader, LlamaScopeLoader {
  /** Hook names an SAE may sit at (TransformerLens residual stream points). */
  Pattern RESID_HOOK = Pattern.compile("blocks\\.(\\d+)\\.hook_resid_(post|pre)");

  /**
   * The SAE's config from its JSON and tensor headers; {@code layer}, when given, must agree with the
   * SAE's own hook (and supplies it where the layout has none).
   */
  SaeConfig readConfig(Path dir, OptionalInt layer);

  /** Loads the weights (widened to float32, folded as the config says). */
  Sae load(SaeConfig config);

  /** The layer of a residual-stream hook name; a clear error for any other hook. */
  static int layerOfHook(Path file, String hookName) {
    Matcher m = RESID_HOOK.matcher(hookName == null ? "" : hookName);
    if (!m.matches()) {
      throw new SaeException(
          file + ": hook '" + hookName + "' is not supported (expected blocks.{layer}.hook_resid_post or hook_resid_pre)");
    }
    return Integer.parseInt(m.group(1));
  }

  /** Checks an explicitly requested layer against the SAE's own. */
  static void checkLayer(Path file, String hookName, int own, OptionalInt requested) {
    if (requested.isPresent() && requested.getAsInt() != own) {
      throw new SaeException(
          file + ": SAE hook is " + hookName + " (layer " + own + "), but layer " + requested.getAsInt() + " was asked for");
    }
  }
}
