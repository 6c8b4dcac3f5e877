package refusallens.probes.text;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import refusallens.refusal.extract.StoreRow;

/**
 * The text baseline's input: word unigrams and bigrams plus character 3- to 5-grams of the prompt text,
 * hashed into a fixed number of columns as log(1 + count). What a practitioner tries first: if it detects
 * harmful prompts as well as the activations, the activations add nothing that the words do not carry.
 */
public final class TextFeatures {
  /** Hashed columns. */
  public static final int WIDTH = 1024;

  private final Map<String, String> texts;

  /** @param texts row id -> prompt text */
  public TextFeatures(Map<String, String> texts) {
    this.texts = Map.copyOf(texts);
  }

  /** The feature rows of the given store rows. */
  public double[][] matrix(List<StoreRow> rows, int[] idx) {
    double[][] out = new double[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      String id = rows.get(idx[i]).id();
      String t = texts.get(id);
      if (t == null) throw new IllegalArgumentException("text baseline: no prompt text for store row '" + id + "'");
      out[i] = of(t);
    }
    return out;
  }

  /** The hashed n-gram vector of one text. */
  public static double[] of(String text) {
    double[] v = new double[WIDTH];
    String lower = text.toLowerCase(Locale.ROOT);
    String[] words = lower.split("[^\\p{L}\\p{N}]+");
    String prev = null;
    for (String w : words) {
      if (w.isEmpty()) continue;
      v[bucket("w:" + w)]++;
      if (prev != null) v[bucket("b:" + prev + " " + w)]++;
      prev = w;
    }
    String padded = " " + lower.replaceAll("\\s+", " ") + " ";
    for (int n = 3; n <= 5; n++) {
      for (int i = 0; i + n <= padded.length(); i++) v[bucket("c:" + padded.substring(i, i + n))]++;
    }
    for (int j = 0; j < WIDTH; j++) v[j] = Math.log1p(v[j]);
    return v;
  }

  /** FNV-1a of the UTF-8 bytes (stable across JVMs and runs). */
  private static int bucket(String s) {
    int h = 0x811C9DC5;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x01000193;
    }
    return Math.floorMod(h, WIDTH);
  }
}
