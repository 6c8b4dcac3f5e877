package refusallens.core.tokenizer;

import java.util.Arrays;

/** Open-addressing map from a token-id pair to its merge rank (no boxing on the BPE hot path). */
final class PairRankMap {
  private static final long EMPTY = -1L;
  private final long[] keys;
  private final int[] ranks;
  private final int mask;

  PairRankMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
    keys = new long[cap];
    ranks = new int[cap];
    Arrays.fill(keys, EMPTY);
    mask = cap - 1;
  }

  static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  /** Stores the rank unless the pair already has one (the first merge listed wins, as in HF). */
  boolean putIfAbsent(int left, int right, int rank) {
    long k = key(left, right);
    int i = slot(k);
    while (keys[i] != EMPTY) {
      if (keys[i] == k) {
        return false;
      }
      i = (i + 1) & mask;
    }
    keys[i] = k;
    ranks[i] = rank;
    return true;
  }

  /** The rank of the pair, or -1. */
  int rank(int left, int right) {
    long k = key(left, right);
    int i = slot(k);
    while (true) {
      long cur = keys[i];
      if (cur == k) {
        return ranks[i];
      }
      if (cur == EMPTY) {
        return -1;
      }
      i = (i + 1) & mask;
    }
  }

  private int slot(long k) {
    long h = k * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 33) & mask;
  }
}
