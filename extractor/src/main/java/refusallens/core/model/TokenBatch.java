package refusallens.core.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompts of possibly different lengths, left-padded to a common length: row {@code b}'s real tokens
 * occupy slots {@code [padLeft(b), maxLength)}.
 */
public record TokenBatch(List<int[]> rows) {
  public TokenBatch {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a token batch needs at least one prompt");
    }
    List<int[]> copy = new ArrayList<>();
    for (int[] r : rows) {
      if (r.length == 0) {
        throw new IllegalArgumentException("prompt " + copy.size() + " has no tokens");
      }
      copy.add(r.clone());
    }
    rows = List.copyOf(copy);
  }

  public static TokenBatch of(int[]... rows) {
    return new TokenBatch(List.of(rows));
  }

  public int size() {
    return rows.size();
  }

  public int[] row(int b) {
    return rows.get(b).clone();
  }

  public int maxLength() {
    int m = 0;
    for (int[] r : rows) {
      m = Math.max(m, r.length);
    }
    return m;
  }

  public int padLeft(int b) {
    return maxLength() - rows.get(b).length;
  }

  public int[] padLeft() {
    int[] out = new int[size()];
    for (int b = 0; b < out.length; b++) {
      out[b] = padLeft(b);
    }
    return out;
  }

  /** Ids of every slot, row-major [B * maxLength]; padding slots hold {@code padId}. */
  public int[] paddedIds(int padId) {
    int len = maxLength();
    int[] out = new int[size() * len];
    for (int b = 0; b < size(); b++) {
      int[] r = rows.get(b);
      int pad = len - r.length;
      for (int s = 0; s < len; s++) {
        out[b * len + s] = s < pad ? padId : r[s - pad];
      }
    }
    return out;
  }

  /** Total real tokens. */
  public int tokenCount() {
    int n = 0;
    for (int[] r : rows) {
      n += r.length;
    }
    return n;
  }
}
