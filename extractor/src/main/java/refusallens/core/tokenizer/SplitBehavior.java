package refusallens.core.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** How a Split pre-tokenizer treats the delimiters it finds (HF's SplitDelimiterBehavior). */
enum SplitBehavior {
  REMOVED,
  ISOLATED,
  MERGED_WITH_PREVIOUS,
  MERGED_WITH_NEXT,
  CONTIGUOUS;

  static SplitBehavior parse(String name, String where) {
    return switch (name) {
      case "Removed" -> REMOVED;
      case "Isolated" -> ISOLATED;
      case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
      case "MergedWithNext" -> MERGED_WITH_NEXT;
      case "Contiguous" -> CONTIGUOUS;
      default -> throw new TokenizerFormatException(
          where + ": unsupported split behavior '" + name
              + "' (supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
    };
  }

  /** Splits {@code piece} around the matches of {@code finder} (or between them when inverted). */
  void split(Piece piece, MatchFinder finder, boolean invert, List<Piece> out) {
    String s = piece.text();
    if (s.isEmpty()) {
      return;
    }
    // Spans as (start, end, isMatch), covering s, as HF's Pattern::find_matches.
    IntList found = new IntList(16);
    finder.find(s, found);
    int[] se = found.toArray();
    if (this == ISOLATED) {
      // Fast path: every match and every gap is a piece of its own.
      int prev = 0;
      for (int k = 0; k < se.length; k += 2) {
        if (prev != se[k]) {
          out.add(new Piece(s.substring(prev, se[k]), piece.atStart() && prev == 0));
        }
        out.add(new Piece(s.substring(se[k], se[k + 1]), piece.atStart() && se[k] == 0));
        prev = se[k + 1];
      }
      if (prev != s.length()) {
        out.add(new Piece(s.substring(prev), piece.atStart() && prev == 0));
      }
      return;
    }
    List<int[]> spans = new ArrayList<>();
    int prev = 0;
    for (int k = 0; k < se.length; k += 2) {
      if (prev != se[k]) {
        spans.add(new int[] {prev, se[k], invert ? 1 : 0});
      }
      spans.add(new int[] {se[k], se[k + 1], invert ? 0 : 1});
      prev = se[k + 1];
    }
    if (prev != s.length()) {
      spans.add(new int[] {prev, s.length(), invert ? 1 : 0});
    }
    List<int[]> kept = apply(spans);
    for (int[] span : kept) {
      if (span[1] > span[0]) {
        out.add(new Piece(s.substring(span[0], span[1]), piece.atStart() && span[0] == 0));
      }
    }
  }

  /** The spans to keep, as (start, end); a span's third slot says whether it is a delimiter. */
  private List<int[]> apply(List<int[]> spans) {
    List<int[]> acc = new ArrayList<>();
    switch (this) {
      case ISOLATED -> acc.addAll(spans);
      case REMOVED -> {
        for (int[] sp : spans) {
          if (sp[2] == 0) {
            acc.add(sp);
          }
        }
      }
      case MERGED_WITH_PREVIOUS -> {
        boolean previousMatch = false;
        for (int[] sp : spans) {
          boolean isMatch = sp[2] == 1;
          if (isMatch && !previousMatch && !acc.isEmpty()) {
            acc.get(acc.size() - 1)[1] = sp[1];
          } else {
            acc.add(sp.clone());
          }
          previousMatch = isMatch;
        }
      }
      case MERGED_WITH_NEXT -> {
        boolean previousMatch = false;
        List<int[]> rev = new ArrayList<>();
        for (int i = spans.size() - 1; i >= 0; i--) {
          int[] sp = spans.get(i);
          boolean isMatch = sp[2] == 1;
          if (isMatch && !previousMatch && !rev.isEmpty()) {
            rev.get(rev.size() - 1)[0] = sp[0];
          } else {
            rev.add(sp.clone());
          }
          previousMatch = isMatch;
        }
        for (int i = rev.size() - 1; i >= 0; i--) {
          acc.add(rev.get(i));
        }
      }
      case CONTIGUOUS -> {
        boolean previousMatch = false;
        for (int[] sp : spans) {
          boolean isMatch = sp[2] == 1;
          if (isMatch == previousMatch && !acc.isEmpty()) {
            acc.get(acc.size() - 1)[1] = sp[1];
          } else {
            acc.add(sp.clone());
          }
          previousMatch = isMatch;
        }
      }
    }
    return acc;
  }
}
