package refusallens.core.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the non-empty, non-overlapping matches of a split pattern, left to right, as (start, end) pairs. */
interface MatchFinder {
  /** Appends start and end of each match in {@code s} to {@code spans}. */
  void find(String s, IntList spans);

  /** A java.util.regex pattern. */
  static MatchFinder of(Pattern pattern) {
    return (s, spans) -> {
      Matcher m = pattern.matcher(s);
      while (m.find()) {
        if (m.end() > m.start()) {
          spans.add(m.start());
          spans.add(m.end());
        }
      }
    };
  }
}
