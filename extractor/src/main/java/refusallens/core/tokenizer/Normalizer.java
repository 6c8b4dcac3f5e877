package refusallens.core.tokenizer;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A tokenizer.json normalizer: rewrites each stretch of text between added tokens before pre-tokenizing. */
sealed interface Normalizer {
  String normalize(String text);

  /** {@code Replace}: every match of a literal or regex pattern becomes {@code content}. */
  record Replace(Pattern pattern, boolean literal, String search, String content) implements Normalizer {
    @Override
    public String normalize(String text) {
      if (literal) {
        return text.replace(search, content);
      }
      return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }
  }

  /** {@code Prepend}: puts a prefix before any non-empty text. */
  record Prepend(String prefix) implements Normalizer {
    @Override
    public String normalize(String text) {
      return text.isEmpty() ? text : prefix + text;
    }
  }

  /** {@code NFC}, {@code NFKC}, {@code NFD}, {@code NFKD}: Unicode normalization forms. */
  record Unicode(java.text.Normalizer.Form form) implements Normalizer {
    @Override
    public String normalize(String text) {
      return java.text.Normalizer.normalize(text, form);
    }
  }

  /** {@code Lowercase}. */
  record Lowercase() implements Normalizer {
    @Override
    public String normalize(String text) {
      return text.toLowerCase(Locale.ROOT);
    }
  }

  /** {@code Strip}: removes whitespace on the left and/or right. */
  record Strip(boolean left, boolean right) implements Normalizer {
    @Override
    public String normalize(String text) {
      String s = left ? text.stripLeading() : text;
      return right ? s.stripTrailing() : s;
    }
  }

  /** {@code Sequence}: the normalizers one after another. */
  record Sequence(List<Normalizer> normalizers) implements Normalizer {
    @Override
    public String normalize(String text) {
      String s = text;
      for (Normalizer n : normalizers) {
        s = n.normalize(s);
      }
      return s;
    }
  }
}
