package refusallens.lens;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import refusallens.core.model.HookName;

/**
 * A name {@link Lens#runWithCache} accepts: a model hook point ({@code blocks.L.hook_resid_post}) or an SAE hook
 * point below it, named as SAELens does ({@code blocks.L.hook_resid_post.hook_sae_acts_post}, {@code
 * .hook_sae_recons}, {@code .hook_sae_error}).
 */
public record CacheName(HookName hook, Optional<SaePoint> sae) {
  private static final Pattern SAE_SUFFIX = Pattern.compile("(.+)\\.(hook_sae_[a-z_]+)");

  /** The hook points of an SAE spliced in at a model hook point. */
  public enum SaePoint {
    /** Feature activations [B, S, d_sae]. */
    ACTS_POST("hook_sae_acts_post"),
    /** The reconstruction [B, S, d]. */
    RECONS("hook_sae_recons"),
    /** The activation minus its reconstruction [B, S, d]. */
    ERROR("hook_sae_error");

    private final String suffix;

    SaePoint(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }
  }

  public CacheName {
    java.util.Objects.requireNonNull(hook, "hook");
    java.util.Objects.requireNonNull(sae, "sae");
  }

  /** A model hook point. */
  public static CacheName of(HookName hook) {
    return new CacheName(hook, Optional.empty());
  }

  /** An SAE hook point at {@code hook}. */
  public static CacheName of(HookName hook, SaePoint point) {
    return new CacheName(hook, Optional.of(point));
  }

  /** Parses a model or SAE hook name; the error names the accepted forms. */
  public static CacheName parse(String s) {
    String name = s == null ? "" : s.trim();
    Matcher m = SAE_SUFFIX.matcher(name);
    if (m.matches() && m.group(2).startsWith("hook_sae_")) {
      for (SaePoint p : SaePoint.values()) {
        if (p.suffix.equals(m.group(2))) {
          return of(HookName.parse(m.group(1)), p);
        }
      }
      throw new IllegalArgumentException("bad SAE hook name '" + s + "': expected a model hook name followed by"
          + " .hook_sae_acts_post, .hook_sae_recons or .hook_sae_error");
    }
    return of(HookName.parse(name));
  }

  @Override
  public String toString() {
    return sae.map(p -> hook + "." + p.suffix()).orElse(hook.toString());
  }
}
