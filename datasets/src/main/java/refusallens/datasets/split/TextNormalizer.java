package refusallens.datasets.split;

import java.text.Normalizer;
import java.util.Locale;

/** The normal form under which two prompt texts count as duplicates: NFKC, lower case, words only. */
public final class TextNormalizer {
  private TextNormalizer() {}

  /** {@code text} in NFKC, lower-cased, with every run of non-letters/digits made one space, trimmed. */
  public static String normalise(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return s.replaceAll("[^\\p{L}\\p{N}]+", " ").trim();
  }
}
