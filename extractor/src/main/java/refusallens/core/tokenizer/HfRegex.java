package refusallens.core.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the Oniguruma patterns of tokenizer.json with java.util.regex. Unicode classes ({@code \s},
 * {@code \w}, {@code \d}) follow Oniguruma's Unicode semantics through UNICODE_CHARACTER_CLASS (so {@code \s}
 * matches U+00A0 and U+2003 as HF does); script names such as {@code \p{Han}} become {@code \p{IsHan}};
 * Oniguruma's {@code \h} (a hex digit) is spelled out. Possessive quantifiers and {@code (?i:...)} groups are
 * native to Java.
 */
final class HfRegex {
  private HfRegex() {}

  static Pattern compile(String onig, String where) {
    String java = translate(onig);
    try {
      return Pattern.compile(java, Pattern.UNICODE_CHARACTER_CLASS);
    } catch (PatternSyntaxException e) {
      throw new TokenizerFormatException(
          where + ": regex " + onig + " is not supported by java.util.regex: " + e.getDescription(), e);
    }
  }

  static Pattern literal(String s) {
    return Pattern.compile(Pattern.quote(s));
  }

  static String translate(String p) {
    StringBuilder out = new StringBuilder(p.length() + 16);
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c != '\\' || i + 1 >= p.length()) {
        out.append(c);
        continue;
      }
      char n = p.charAt(i + 1);
      if (n == 'h') {
        out.append("[0-9a-fA-F]");
        i++;
      } else if ((n == 'p' || n == 'P') && i + 2 < p.length() && p.charAt(i + 2) == '{') {
        int close = p.indexOf('}', i + 3);
        if (close < 0) {
          out.append(c);
          continue;
        }
        String name = p.substring(i + 3, close);
        char kind = n;
        if (name.startsWith("^")) {
          kind = n == 'p' ? 'P' : 'p';
          name = name.substring(1);
        }
        out.append('\\').append(kind).append('{').append(javaPropertyName(name)).append('}');
        i = close;
      } else {
        out.append(c).append(n);
        i++;
      }
    }
    return out.toString();
  }

  private static String javaPropertyName(String name) {
    String bare = name;
    if (compiles("\\p{" + bare + "}")) {
      return bare;
    }
    if (compiles("\\p{Is" + bare + "}")) {
      return "Is" + bare;
    }
    return bare;
  }

  private static boolean compiles(String p) {
    try {
      Pattern.compile(p);
      return true;
    } catch (PatternSyntaxException e) {
      return false;
    }
  }
}
