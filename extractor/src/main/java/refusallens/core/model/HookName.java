package refusallens.core.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hook point, named as in TransformerLens: {@code blocks.{layer}.hook_resid_post} (output of decoder
 * layer {@code layer}, before the final norm) and {@code blocks.{layer}.hook_resid_pre} (its input;
 * layer 0's is the scaled token embedding).
 */
public record HookName(int layer, Point point) implements Comparable<HookName> {
  private static final Pattern FORMAT = Pattern.compile("blocks\\.(\\d+)\\.(hook_resid_pre|hook_resid_post)");

  /** The kinds of hook point. */
  public enum Point {
    RESID_PRE("hook_resid_pre"),
    RESID_POST("hook_resid_post");

    private final String suffix;

    Point(String suffix) {
      this.suffix = suffix;
    }

    public String suffix() {
      return suffix;
    }
  }

  public HookName {
    if (layer < 0) {
      throw new IllegalArgumentException("hook layer must be >= 0, got " + layer);
    }
    java.util.Objects.requireNonNull(point, "point");
  }

  public static HookName residPost(int layer) {
    return new HookName(layer, Point.RESID_POST);
  }

  public static HookName residPre(int layer) {
    return new HookName(layer, Point.RESID_PRE);
  }

  /** Parses {@code blocks.L.hook_resid_post} / {@code blocks.L.hook_resid_pre}. */
  public static HookName parse(String s) {
    Matcher m = FORMAT.matcher(s == null ? "" : s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "bad hook name '" + s + "': expected blocks.{layer}.hook_resid_post or blocks.{layer}.hook_resid_pre");
    }
    int layer = Integer.parseInt(m.group(1));
    return "hook_resid_pre".equals(m.group(2)) ? residPre(layer) : residPost(layer);
  }

  /** Order of execution in the forward pass: resid_pre of L before resid_post of L. */
  @Override
  public int compareTo(HookName o) {
    int c = Integer.compare(layer, o.layer);
    return c != 0 ? c : point.compareTo(o.point);
  }

  @Override
  public String toString() {
    return "blocks." + layer + "." + point.suffix();
  }
}
