package refusallens.probes.view;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import refusallens.refusal.extract.PositionRule;

/**
 * A feature view as written on the command line. Grammar: {@code view := term ('+' term)*},
 * {@code term := atom ['@' position]}, atoms {@code raw:L}, {@code raw:best}, {@code sae:L}, {@code f*},
 * {@code fh}, {@code fr}, {@code random(view)}; position {@code last} (default),
 * {@code post_instruction_mean}, {@code prompt_mean}. {@code fh+fr} is the concatenation of FH and FR; {@code fr}
 * alone is the paper's disentangled view; {@code random(fr)} draws as many SAE features from the same layers,
 * matched in activation (see {@link ViewResolver}).
 */
public sealed interface ViewSpec {
  /** Raw {@code resid_post} at a layer; {@code layer} null means pick the best layer on validation. */
  record Raw(Integer layer, PositionRule position) implements ViewSpec {
    @Override
    public String toString() {
      return "raw:" + (layer == null ? "best" : layer) + suffix(position);
    }
  }

  /** All SAE features of a layer. */
  record SaeAll(int layer, PositionRule position) implements ViewSpec {
    @Override
    public String toString() {
      return "sae:" + layer + suffix(position);
    }
  }

  /** A named feature list of features.json. */
  record Features(FeatureSetId set, PositionRule position) implements ViewSpec {
    @Override
    public String toString() {
      return set.id() + suffix(position);
    }
  }

  /** As many random SAE features, from the same layers, as {@code of} has (the control). */
  record Random(ViewSpec of) implements ViewSpec {
    @Override
    public String toString() {
      return "random(" + of + ")";
    }
  }

  /** Columns of several views side by side. */
  record Concat(List<ViewSpec> parts) implements ViewSpec {
    public Concat {
      parts = List.copyOf(parts);
    }

    @Override
    public String toString() {
      return parts.stream().map(ViewSpec::toString).collect(Collectors.joining("+"));
    }
  }

  private static String suffix(PositionRule p) {
    return p == PositionRule.LAST ? "" : "@" + p.wireName();
  }

  /** Parses a view spec; errors name the spec and what was expected. */
  static ViewSpec parse(String spec) {
    if (spec == null || spec.isBlank()) throw error(spec, "empty view");
    List<String> terms = splitTopLevel(spec.trim(), '+', spec);
    List<ViewSpec> parts = new ArrayList<>();
    for (String t : terms) parts.add(parseTerm(t.trim(), spec));
    return parts.size() == 1 ? parts.get(0) : new Concat(parts);
  }

  /** Parses a comma-separated list of views (commas inside parentheses stay). */
  static List<ViewSpec> parseList(String specs) {
    List<ViewSpec> out = new ArrayList<>();
    for (String s : splitList(specs)) out.add(parse(s));
    return out;
  }

  /** Splits a comma-separated list of view specs (commas inside parentheses stay), each trimmed. */
  static List<String> splitList(String specs) {
    return splitTopLevel(specs, ',', specs).stream().map(String::trim).toList();
  }

  private static ViewSpec parseTerm(String term, String spec) {
    String lower = term.toLowerCase(Locale.ROOT);
    if (lower.startsWith("random(")) {
      if (!lower.endsWith(")")) throw error(spec, "'random(' without a closing ')'");
      ViewSpec inner = parse(term.substring(7, term.length() - 1));
      return new Random(inner);
    }
    PositionRule pos = PositionRule.LAST;
    int at = lower.indexOf('@');
    String atom = lower;
    if (at >= 0) {
      try {
        pos = PositionRule.parse(lower.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw error(spec, e.getMessage());
      }
      atom = lower.substring(0, at);
    }
    if (atom.startsWith("raw:")) {
      String l = atom.substring(4);
      return new Raw(l.equals("best") ? null : layer(l, spec), pos);
    }
    if (atom.startsWith("sae:")) return new SaeAll(layer(atom.substring(4), spec), pos);
    return switch (atom) {
      case "f*", "fstar" -> new Features(FeatureSetId.FSTAR, pos);
      case "fh" -> new Features(FeatureSetId.FH, pos);
      case "fr" -> new Features(FeatureSetId.FR, pos);
      default -> throw error(
          spec, "unknown term '" + term + "' (expected raw:L, raw:best, sae:L, f*, fh, fr, random(...))");
    };
  }

  private static int layer(String s, String spec) {
    try {
      int l = Integer.parseInt(s);
      if (l < 0) throw error(spec, "layer " + l + " must be >= 0");
      return l;
    } catch (NumberFormatException e) {
      throw error(spec, "layer '" + s + "' is not a number");
    }
  }

  private static List<String> splitTopLevel(String s, char sep, String spec) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') depth++;
      if (c == ')' && --depth < 0) throw error(spec, "unbalanced ')'");
      if (c == sep && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    if (depth != 0) throw error(spec, "unbalanced '('");
    out.add(s.substring(start));
    for (String part : out) if (part.isBlank()) throw error(spec, "empty term");
    return out;
  }

  private static IllegalArgumentException error(String spec, String what) {
    return new IllegalArgumentException("view '" + spec + "': " + what);
  }
}
