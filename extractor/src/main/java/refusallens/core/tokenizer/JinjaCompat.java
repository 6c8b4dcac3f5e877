package refusallens.core.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Source rewrites that make Jinjava read chat templates as Jinja2 does. Jinja2 binds {@code is} tests
 * tighter than {@code not} ({@code not x is defined} means {@code not (x is defined)}); Jinjava applies
 * {@code not} first, which would ignore a caller's {@code date_string} or {@code tools_in_user_message}.
 */
final class JinjaCompat {
  private static final Pattern TAG = Pattern.compile("\\{%.*?%\\}|\\{\\{.*?\\}\\}", Pattern.DOTALL);
  private static final Pattern NOT_IS =
      Pattern.compile(
          "\\bnot\\s+([A-Za-z_][\\w]*(?:\\.[A-Za-z_]\\w*|\\[[^\\]\\[]*\\])*)\\s+is\\s+(not\\s+)?([A-Za-z_]\\w*(?:\\([^()]*\\))?)");

  private JinjaCompat() {}

  static String rewrite(String source) {
    Matcher tags = TAG.matcher(source);
    StringBuilder out = new StringBuilder(source.length() + 32);
    while (tags.find()) {
      String tag = tags.group();
      String fixed = NOT_IS.matcher(tag).replaceAll("not ($1 is $2$3)");
      tags.appendReplacement(out, Matcher.quoteReplacement(fixed));
    }
    tags.appendTail(out);
    return out.toString();
  }
}
