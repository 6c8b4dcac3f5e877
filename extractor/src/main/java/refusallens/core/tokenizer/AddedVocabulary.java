package refusallens.core.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The added tokens and their matching as HF's AddedVocabulary: leftmost-longest matches, first of the
 * tokens with {@code normalized=false} on the raw text, then of the {@code normalized=true} ones on each
 * normalized stretch; {@code single_word}, {@code lstrip} and {@code rstrip} applied as HF applies them.
 */
final class AddedVocabulary {
  /** A stretch of text: an added token ({@code id >= 0}) or text for the model ({@code id == -1}). */
  record Segment(int id, int start, int end) {}

  private final Map<Integer, AddedToken> byId = new LinkedHashMap<>();
  private final Map<String, AddedToken> byContent = new HashMap<>();
  private final Trie raw = new Trie();
  private final Trie normalizedTrie = new Trie();

  AddedVocabulary(Collection<AddedToken> tokens, Normalizer normalizer) {
    for (AddedToken t : tokens) {
      byId.put(t.id(), t);
      byContent.put(t.content(), t);
      if (t.normalized()) {
        String content = normalizer == null ? t.content() : normalizer.normalize(t.content());
        normalizedTrie.add(content, t);
      } else {
        raw.add(t.content(), t);
      }
    }
  }

  AddedToken byId(int id) {
    return byId.get(id);
  }

  AddedToken byContent(String content) {
    return byContent.get(content);
  }

  Collection<AddedToken> all() {
    return byId.values();
  }

  int maxId() {
    int m = -1;
    for (int id : byId.keySet()) {
      m = Math.max(m, id);
    }
    return m;
  }

  List<Segment> splitRaw(String s) {
    return raw.split(s);
  }

  List<Segment> splitNormalized(String s) {
    return normalizedTrie.split(s);
  }

  /** A character trie over token contents, matched leftmost-longest like aho-corasick's LeftmostLongest. */
  private static final class Trie {
    private final Node root = new Node();
    private final BitSet firstChars = new BitSet(65536);
    private boolean empty = true;

    void add(String content, AddedToken token) {
      Node n = root;
      for (int i = 0; i < content.length(); i++) {
        n = n.children.computeIfAbsent(content.charAt(i), k -> new Node());
      }
      n.token = token;
      firstChars.set(content.charAt(0));
      empty = false;
    }

    List<Segment> split(String s) {
      List<Segment> out = new ArrayList<>();
      if (empty || s.isEmpty()) {
        out.add(new Segment(-1, 0, s.length()));
        return out;
      }
      int startOffset = 0;
      int i = 0;
      int n = s.length();
      while (i < n) {
        if (!firstChars.get(s.charAt(i))) {
          i++;
          continue;
        }
        // Longest token starting at i.
        Node node = root;
        AddedToken found = null;
        int foundEnd = -1;
        for (int j = i; j < n; j++) {
          node = node.children.get(s.charAt(j));
          if (node == null) {
            break;
          }
          if (node.token != null) {
            found = node.token;
            foundEnd = j + 1;
          }
        }
        if (found == null) {
          i++;
          continue;
        }
        int start = i;
        int stop = foundEnd;
        i = foundEnd; // matches never overlap, whether or not this one is kept
        if (found.singleWord()) {
          boolean startSpace = start == 0 || !isWordChar(s.codePointBefore(start));
          boolean stopSpace = stop == n || !isWordChar(s.codePointAt(stop));
          if (!startSpace || !stopSpace) {
            continue;
          }
        }
        if (found.lstrip()) {
          int k = start;
          while (k > 0 && isSpace(s.codePointBefore(k))) {
            k -= Character.charCount(s.codePointBefore(k));
          }
          start = Math.max(k, startOffset);
        }
        if (found.rstrip()) {
          while (stop < n && isSpace(s.codePointAt(stop))) {
            stop += Character.charCount(s.codePointAt(stop));
          }
        }
        if (startOffset < start) {
          out.add(new Segment(-1, startOffset, start));
        }
        out.add(new Segment(found.id(), start, stop));
        startOffset = stop;
        i = Math.max(i, stop);
      }
      if (startOffset != n) {
        out.add(new Segment(-1, startOffset, n));
      }
      return out;
    }

    /** Rust's char::is_whitespace (Unicode White_Space, which includes no-break spaces). */
    private static boolean isSpace(int cp) {
      return Character.isWhitespace(cp) || cp == 0x85 || cp == 0xA0 || cp == 0x2007 || cp == 0x202F;
    }

    private static boolean isWordChar(int cp) {
      return Character.isLetterOrDigit(cp) || cp == '_';
    }
  }

  private static final class Node {
    final Map<Character, Node> children = new HashMap<>(4);
    AddedToken token;
  }
}
