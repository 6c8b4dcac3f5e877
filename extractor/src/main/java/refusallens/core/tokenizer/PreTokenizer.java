package refusallens.core.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** A tokenizer.json pre-tokenizer: splits normalized text into the words the model encodes one by one. */
sealed interface PreTokenizer {
  /** Appends the pieces {@code piece} splits into to {@code out}. */
  void split(Piece piece, List<Piece> out);

  /** {@code Split}: a literal or regex pattern with a delimiter behaviour. */
  record Split(MatchFinder finder, SplitBehavior behavior, boolean invert) implements PreTokenizer {
    @Override
    public void split(Piece piece, List<Piece> out) {
      behavior.split(piece, finder, invert, out);
    }
  }

  /** {@code ByteLevel}: optional prefix space and GPT-2 regex split, then bytes mapped to visible chars. */
  record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
    static final MatchFinder GPT2 =
        MatchFinder.of(HfRegex.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            "ByteLevel"));

    @Override
    public void split(Piece piece, List<Piece> out) {
      Piece p = piece;
      if (addPrefixSpace && !p.text().startsWith(" ")) {
        p = new Piece(" " + p.text(), p.atStart());
      }
      if (!useRegex) {
        if (!p.text().isEmpty()) {
          out.add(new Piece(ByteLevelAlphabet.encode(p.text()), p.atStart()));
        }
        return;
      }
      List<Piece> parts = new ArrayList<>();
      SplitBehavior.ISOLATED.split(p, GPT2, false, parts);
      for (Piece part : parts) {
        out.add(new Piece(ByteLevelAlphabet.encode(part.text()), part.atStart()));
      }
    }
  }

  /** {@code Metaspace}: spaces become the replacement char (U+2581), with a prefix by prepend_scheme. */
  record Metaspace(char replacement, PrependScheme prependScheme, boolean splitWords) implements PreTokenizer {
    @Override
    public void split(Piece piece, List<Piece> out) {
      String rep = String.valueOf(replacement);
      String s = piece.text().replace(" ", rep);
      boolean prepend =
          switch (prependScheme) {
            case ALWAYS -> !s.startsWith(rep);
            case FIRST -> !s.startsWith(rep) && piece.atStart();
            case NEVER -> false;
          };
      if (prepend) {
        s = rep + s;
      }
      Piece p = new Piece(s, piece.atStart());
      if (splitWords) {
        SplitBehavior.MERGED_WITH_NEXT.split(p, MatchFinder.of(HfRegex.literal(rep)), false, out);
      } else if (!s.isEmpty()) {
        out.add(p);
      }
    }
  }

  /** Metaspace's prepend_scheme. */
  enum PrependScheme {
    ALWAYS,
    FIRST,
    NEVER
  }

  /** {@code Sequence}: each pre-tokenizer splits the pieces of the previous one. */
  record Sequence(List<PreTokenizer> preTokenizers) implements PreTokenizer {
    @Override
    public void split(Piece piece, List<Piece> out) {
      List<Piece> current = List.of(piece);
      for (PreTokenizer pt : preTokenizers) {
        List<Piece> next = new ArrayList<>();
        for (Piece p : current) {
          pt.split(p, next);
        }
        current = next;
      }
      out.addAll(current);
    }
  }
}
