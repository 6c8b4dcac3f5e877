package refusallens.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model of tokenizer.json: a word becomes its characters (or their {@code <0xNN>} byte tokens
 * under byte_fallback, or unk), then pairs merge lowest rank first, leftmost first among equal ranks, as
 * HF's priority-queue merge loop does. Results for short words are cached.
 */
final class BpeModel {
  private static final int CACHE_MAX_WORD = 256;
  private static final int CACHE_MAX_ENTRIES = 500_000;

  private final Map<String, Integer> vocab;
  private final String[] idToToken;
  private final PairRankMap ranks;
  private final int[] mergedId; // [rank] -> id of the merged token
  private final int unkId; // -1 when there is no unk token
  private final boolean fuseUnk;
  private final boolean byteFallback;
  private final boolean ignoreMerges;
  private final String continuingSubwordPrefix; // may be null
  private final String endOfWordSuffix; // may be null
  private final int[] byteTokenIds = new int[256];
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

  /** Merges are given as (left, right) token strings in rank order. */
  BpeModel(
      Map<String, Integer> vocab,
      String[][] merges,
      String unkToken,
      boolean fuseUnk,
      boolean byteFallback,
      boolean ignoreMerges,
      String continuingSubwordPrefix,
      String endOfWordSuffix,
      String where) {
    this.vocab = vocab;
    int maxId = -1;
    for (int id : vocab.values()) {
      if (id < 0) {
        throw new TokenizerFormatException(where + ": model.vocab has a negative id " + id);
      }
      maxId = Math.max(maxId, id);
    }
    idToToken = new String[maxId + 1];
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      idToToken[e.getValue()] = e.getKey();
    }
    ranks = new PairRankMap(Math.max(1, merges.length));
    mergedId = new int[merges.length];
    int prefixLen = continuingSubwordPrefix == null ? 0 : continuingSubwordPrefix.length();
    for (int r = 0; r < merges.length; r++) {
      String a = merges[r][0];
      String b = merges[r][1];
      Integer ia = vocab.get(a);
      Integer ib = vocab.get(b);
      String merged = a + (prefixLen > 0 && b.startsWith(continuingSubwordPrefix) ? b.substring(prefixLen) : b);
      Integer im = vocab.get(merged);
      if (ia == null || ib == null || im == null) {
        throw new TokenizerFormatException(
            where + ": merge #" + r + " (\"" + a + "\", \"" + b + "\") uses a token missing from model.vocab");
      }
      mergedId[r] = im;
      ranks.putIfAbsent(ia, ib, r);
    }
    if (unkToken != null) {
      Integer u = vocab.get(unkToken);
      if (u == null) {
        throw new TokenizerFormatException(where + ": model.unk_token '" + unkToken + "' is not in model.vocab");
      }
      unkId = u;
    } else {
      unkId = -1;
    }
    this.fuseUnk = fuseUnk;
    this.byteFallback = byteFallback;
    this.ignoreMerges = ignoreMerges;
    this.continuingSubwordPrefix = continuingSubwordPrefix;
    this.endOfWordSuffix = endOfWordSuffix;
    for (int b = 0; b < 256; b++) {
      Integer id = vocab.get(String.format("<0x%02X>", b));
      byteTokenIds[b] = id == null ? -1 : id;
    }
  }

  int size() {
    return idToToken.length;
  }

  Optional<String> token(int id) {
    return id >= 0 && id < idToToken.length ? Optional.ofNullable(idToToken[id]) : Optional.empty();
  }

  Integer id(String token) {
    return vocab.get(token);
  }

  /** Appends the ids of one pre-tokenized word. */
  void encodeWord(String word, IntList out) {
    if (word.isEmpty()) {
      return;
    }
    boolean cacheable = word.length() <= CACHE_MAX_WORD;
    if (cacheable) {
      int[] hit = cache.get(word);
      if (hit != null) {
        out.addAll(hit);
        return;
      }
    }
    int[] ids = encodeUncached(word);
    if (cacheable && cache.size() < CACHE_MAX_ENTRIES) {
      cache.put(word, ids);
    }
    out.addAll(ids);
  }

  private int[] encodeUncached(String word) {
    if (ignoreMerges) {
      Integer whole = vocab.get(word);
      if (whole != null) {
        return new int[] {whole};
      }
    }
    int[] sym = initialSymbols(word);
    return mergeAll(sym);
  }

  /** The word's characters as ids (byte tokens or unk for characters outside the vocabulary). */
  private int[] initialSymbols(String word) {
    IntList syms = new IntList(word.length() + 4);
    boolean lastWasUnk = false;
    int n = word.length();
    for (int i = 0; i < n; ) {
      int cp = word.codePointAt(i);
      int next = i + Character.charCount(cp);
      String s = word.substring(i, next);
      if (continuingSubwordPrefix != null && i > 0) {
        s = continuingSubwordPrefix + s;
      }
      if (endOfWordSuffix != null && next == n) {
        s = s + endOfWordSuffix;
      }
      Integer id = vocab.get(s);
      if (id != null) {
        syms.add(id);
        lastWasUnk = false;
      } else if (byteFallback && addBytes(word.substring(i, next), syms)) {
        lastWasUnk = false;
      } else if (unkId >= 0) {
        if (!(fuseUnk && lastWasUnk)) {
          syms.add(unkId);
        }
        lastWasUnk = true;
      }
      i = next;
    }
    return syms.toArray();
  }

  private boolean addBytes(String ch, IntList syms) {
    byte[] bytes = ch.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      if (byteTokenIds[b & 0xFF] < 0) {
        return false;
      }
    }
    for (byte b : bytes) {
      syms.add(byteTokenIds[b & 0xFF]);
    }
    return true;
  }

  /** HF's merge loop: a min-heap of (rank, position) with stale entries skipped. */
  private int[] mergeAll(int[] c) {
    int n = c.length;
    if (n < 2) {
      return c;
    }
    int[] prev = new int[n];
    int[] next = new int[n];
    boolean[] dead = new boolean[n];
    for (int i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    LongHeap heap = new LongHeap(n);
    for (int i = 0; i + 1 < n; i++) {
      int r = ranks.rank(c[i], c[i + 1]);
      if (r >= 0) {
        heap.push(((long) r << 32) | i);
      }
    }
    int alive = n;
    while (!heap.isEmpty()) {
      long top = heap.pop();
      int rank = (int) (top >>> 32);
      int pos = (int) top;
      if (dead[pos] || next[pos] < 0) {
        continue;
      }
      int right = next[pos];
      if (ranks.rank(c[pos], c[right]) != rank) {
        continue; // stale: one side changed since this pair was queued
      }
      c[pos] = mergedId[rank];
      dead[right] = true;
      alive--;
      next[pos] = next[right];
      if (next[pos] >= 0) {
        prev[next[pos]] = pos;
      }
      if (prev[pos] >= 0) {
        int r = ranks.rank(c[prev[pos]], c[pos]);
        if (r >= 0) {
          heap.push(((long) r << 32) | prev[pos]);
        }
      }
      if (next[pos] >= 0) {
        int r = ranks.rank(c[pos], c[next[pos]]);
        if (r >= 0) {
          heap.push(((long) r << 32) | pos);
        }
      }
    }
    int[] out = new int[alive];
    int k = 0;
    for (int i = 0; i >= 0; i = next[i]) {
      out[k++] = c[i];
    }
    return out;
  }

  /** A binary min-heap of longs. */
  private static final class LongHeap {
    private long[] a;
    private int size;

    LongHeap(int cap) {
      a = new long[Math.max(4, cap)];
    }

    boolean isEmpty() {
      return size == 0;
    }

    void push(long v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int p = (i - 1) >>> 1;
        if (a[p] <= v) {
          break;
        }
        a[i] = a[p];
        i = p;
      }
      a[i] = v;
    }

    long pop() {
      long top = a[0];
      long v = a[--size];
      int i = 0;
      int half = size >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        if (child + 1 < size && a[child + 1] < a[child]) {
          child++;
        }
        if (v <= a[child]) {
          break;
        }
        a[i] = a[child];
        i = child;
      }
      a[i] = v;
      return top;
    }
  }
}
