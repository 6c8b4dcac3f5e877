package refusallens.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Trains a Gemma-style BPE tokenizer: a Replace(' ' -> '▁') normalizer and no pre-tokenizer, byte fallback
 * through the 256 {@code <0xNN>} tokens, the Gemma chat special tokens, and the Gemma-2 chat template.
 * Words (split before each '▁', as SentencePiece does) are counted, then the most frequent adjacent pair is
 * merged until the vocabulary is full; ties go to the pair whose token strings sort first, so training is
 * deterministic. The result is written as tokenizer.json + tokenizer_config.json that {@link Tokenizer#load}
 * (and HF tokenizers) read.
 */
public final class BpeTrainer {
  /** Gemma's chat special tokens, in id order. */
  public static final List<String> GEMMA_SPECIAL_TOKENS =
      List.of("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>");

  static final char SPACE = '\u2581';
  private static final String TEMPLATE_RESOURCE = "gemma2_chat_template.jinja";

  /**
   * Training options.
   *
   * @param vocabSize total tokens (special + 256 byte tokens + characters + merges)
   * @param minPairFrequency a pair seen fewer times than this is never merged
   * @param maxAlphabet most characters kept as base tokens (the rarest others go through byte fallback)
   */
  public record Options(int vocabSize, int minPairFrequency, int maxAlphabet) {
    public Options {
      int floor = GEMMA_SPECIAL_TOKENS.size() + 256 + 1;
      if (vocabSize < floor) {
        throw new IllegalArgumentException("vocabSize must be >= " + floor + ", got " + vocabSize);
      }
      if (minPairFrequency < 1) {
        throw new IllegalArgumentException("minPairFrequency must be >= 1, got " + minPairFrequency);
      }
      if (maxAlphabet < 1) {
        throw new IllegalArgumentException("maxAlphabet must be >= 1, got " + maxAlphabet);
      }
    }

    /** About 2k tokens, as the model organism uses. */
    public static Options defaults() {
      return new Options(2048, 2, 256);
    }
  }

  /** A trained vocabulary (token strings by id) and its merges in rank order. */
  public record Trained(List<String> vocab, List<String[]> merges) {
    public Trained {
      vocab = List.copyOf(vocab);
      merges = List.copyOf(merges);
    }

    /** Writes tokenizer.json and tokenizer_config.json (with the Gemma-2 chat template) into {@code dir}. */
    public void writeTo(Path dir) {
      try {
        Files.createDirectories(dir);
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        om.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson(om));
        om.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig(om));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write tokenizer files to " + dir, e);
      }
    }

    private ObjectNode tokenizerJson(ObjectMapper om) {
      ObjectNode root = om.createObjectNode();
      root.put("version", "1.0");
      root.putNull("truncation");
      root.putNull("padding");
      ArrayNode added = root.putArray("added_tokens");
      for (int i = 0; i < GEMMA_SPECIAL_TOKENS.size(); i++) {
        ObjectNode t = added.addObject();
        t.put("id", i).put("content", GEMMA_SPECIAL_TOKENS.get(i)).put("single_word", false);
        t.put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
      }
      ObjectNode norm = root.putObject("normalizer");
      norm.put("type", "Replace");
      norm.putObject("pattern").put("String", " ");
      norm.put("content", String.valueOf(SPACE));
      root.putNull("pre_tokenizer");
      ObjectNode post = root.putObject("post_processor");
      post.put("type", "TemplateProcessing");
      ArrayNode single = post.putArray("single");
      single.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
      single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
      ArrayNode pair = post.putArray("pair");
      pair.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
      pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
      pair.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 1);
      pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
      ObjectNode bos = post.putObject("special_tokens").putObject("<bos>");
      bos.put("id", "<bos>");
      bos.putArray("ids").add(GEMMA_SPECIAL_TOKENS.indexOf("<bos>"));
      bos.putArray("tokens").add("<bos>");
      ObjectNode dec = root.putObject("decoder");
      dec.put("type", "Sequence");
      ArrayNode decs = dec.putArray("decoders");
      ObjectNode rep = decs.addObject();
      rep.put("type", "Replace");
      rep.putObject("pattern").put("String", String.valueOf(SPACE));
      rep.put("content", " ");
      decs.addObject().put("type", "ByteFallback");
      decs.addObject().put("type", "Fuse");
      ObjectNode model = root.putObject("model");
      model.put("type", "BPE");
      model.putNull("dropout");
      model.put("unk_token", "<unk>");
      model.putNull("continuing_subword_prefix");
      model.putNull("end_of_word_suffix");
      model.put("fuse_unk", true);
      model.put("byte_fallback", true);
      model.put("ignore_merges", false);
      ObjectNode v = model.putObject("vocab");
      for (int i = 0; i < vocab.size(); i++) {
        v.put(vocab.get(i), i);
      }
      ArrayNode m = model.putArray("merges");
      for (String[] mg : merges) {
        m.addArray().add(mg[0]).add(mg[1]);
      }
      return root;
    }

    private ObjectNode tokenizerConfig(ObjectMapper om) {
      ObjectNode c = om.createObjectNode();
      c.put("bos_token", "<bos>");
      c.put("eos_token", "<eos>");
      c.put("pad_token", "<pad>");
      c.put("unk_token", "<unk>");
      c.putArray("additional_special_tokens").add("<start_of_turn>").add("<end_of_turn>");
      c.put("add_bos_token", true);
      c.put("add_eos_token", false);
      c.put("chat_template", gemma2ChatTemplate());
      c.put("clean_up_tokenization_spaces", false);
      c.put("model_max_length", 8192);
      c.put("padding_side", "left");
      c.put("spaces_between_special_tokens", false);
      c.put("tokenizer_class", "PreTrainedTokenizerFast");
      return c;
    }
  }

  private BpeTrainer() {}

  /** The Gemma-2 chat template, as shipped in gemma-2-it's tokenizer_config.json. */
  public static String gemma2ChatTemplate() {
    try (InputStream in = BpeTrainer.class.getResourceAsStream(TEMPLATE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + TEMPLATE_RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Trains on {@code texts} (special-token strings in them are skipped, as the encoder matches them first). */
  public static Trained train(List<String> texts, Options options) {
    // 1. Words with counts: normalized text split before each '▁'.
    Map<String, Long> wordCounts = new HashMap<>();
    Map<Integer, Long> charCounts = new HashMap<>();
    for (String text : texts) {
      for (String chunk : splitSpecials(text)) {
        String norm = chunk.replace(' ', SPACE);
        int start = 0;
        for (int i = 1; i <= norm.length(); i++) {
          if (i == norm.length() || norm.charAt(i) == SPACE) {
            if (i > start) {
              wordCounts.merge(norm.substring(start, i), 1L, Long::sum);
            }
            start = i;
          }
        }
        norm.codePoints().forEach(cp -> charCounts.merge(cp, 1L, Long::sum));
      }
    }

    // 2. Base vocabulary: specials, bytes, then the most frequent characters.
    List<String> vocab = new ArrayList<>(GEMMA_SPECIAL_TOKENS);
    for (int b = 0; b < 256; b++) {
      vocab.add(String.format("<0x%02X>", b));
    }
    int byteEnd = vocab.size();
    List<Map.Entry<Integer, Long>> chars = new ArrayList<>(charCounts.entrySet());
    chars.sort((a, b) -> a.getValue().equals(b.getValue())
        ? Integer.compare(a.getKey(), b.getKey())
        : Long.compare(b.getValue(), a.getValue()));
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < vocab.size(); i++) {
      ids.put(vocab.get(i), i);
    }
    int room = options.vocabSize() - vocab.size();
    int alphabet = Math.min(Math.min(options.maxAlphabet(), chars.size()), room);
    // Keep '▁' whenever the corpus has it: every word but the first starts with it.
    chars.stream()
        .filter(e -> e.getKey() == SPACE)
        .findFirst()
        .ifPresent(e -> { chars.remove(e); chars.add(0, e); });
    for (int i = 0; i < alphabet; i++) {
      String c = new String(Character.toChars(chars.get(i).getKey()));
      if (!ids.containsKey(c)) {
        ids.put(c, vocab.size());
        vocab.add(c);
      }
    }

    // 3. Words as symbol ids (characters outside the alphabet become their byte tokens).
    List<String> wordList = new ArrayList<>(new TreeMap<>(wordCounts).keySet());
    int nw = wordList.size();
    int[][] words = new int[nw][];
    long[] counts = new long[nw];
    for (int w = 0; w < nw; w++) {
      String word = wordList.get(w);
      counts[w] = wordCounts.get(word);
      IntList syms = new IntList(word.length());
      word.codePoints().forEach(cp -> {
        Integer id = ids.get(new String(Character.toChars(cp)));
        if (id != null) {
          syms.add(id);
        } else {
          for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
            syms.add(GEMMA_SPECIAL_TOKENS.size() + (b & 0xFF));
          }
        }
      });
      words[w] = syms.toArray();
    }

    // 4. Pair statistics and the merge loop.
    Map<Long, Long> pairCounts = new HashMap<>();
    Map<Long, Set<Integer>> where = new HashMap<>();
    for (int w = 0; w < nw; w++) {
      addPairs(words[w], counts[w], w, pairCounts, where, byteEnd, null);
    }
    // A max-queue of (count, pair) with lazy deletion: an entry is live while its count is the pair's count.
    java.util.PriorityQueue<long[]> queue =
        new java.util.PriorityQueue<>(
            (x, y) -> x[1] != y[1] ? Long.compare(y[1], x[1]) : (pairLess(x[0], y[0], vocab) ? -1 : 1));
    pairCounts.forEach((k, c) -> queue.add(new long[] {k, c}));
    List<String[]> merges = new ArrayList<>();
    Set<Long> changed = new HashSet<>();
    while (vocab.size() < options.vocabSize() && !queue.isEmpty()) {
      long[] top = queue.poll();
      long best = top[0];
      long bestCount = pairCounts.getOrDefault(best, 0L);
      if (bestCount != top[1]) {
        continue; // stale
      }
      if (bestCount < options.minPairFrequency()) {
        break;
      }
      int a = (int) (best >>> 32);
      int b = (int) best;
      String merged = vocab.get(a) + vocab.get(b);
      Integer newId = ids.get(merged);
      if (newId == null) {
        newId = vocab.size();
        vocab.add(merged);
        ids.put(merged, newId);
      }
      merges.add(new String[] {vocab.get(a), vocab.get(b)});
      Set<Integer> affected = where.remove(best);
      changed.clear();
      for (int w : affected == null ? Set.<Integer>of() : new java.util.TreeSet<>(affected)) {
        int[] sym = words[w];
        if (!containsPair(sym, a, b)) {
          continue; // the word lost this pair to an earlier merge
        }
        addPairs(sym, -counts[w], -1, pairCounts, null, byteEnd, changed);
        words[w] = applyMerge(sym, a, b, newId);
        addPairs(words[w], counts[w], w, pairCounts, where, byteEnd, changed);
      }
      pairCounts.remove(best);
      changed.remove(best);
      for (long k : changed) {
        long c = pairCounts.getOrDefault(k, 0L);
        if (c <= 0) {
          pairCounts.remove(k);
        } else {
          queue.add(new long[] {k, c});
        }
      }
    }
    return new Trained(vocab, merges);
  }

  /** Trains and writes tokenizer.json + tokenizer_config.json into {@code dir}; returns the loaded tokenizer. */
  public static Tokenizer trainAndWrite(List<String> texts, Options options, Path dir) {
    train(texts, options).writeTo(dir);
    return Tokenizer.load(dir);
  }

  private static List<String> splitSpecials(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      String hit = null;
      if (text.charAt(i) == '<') {
        for (String s : GEMMA_SPECIAL_TOKENS) {
          if (text.startsWith(s, i)) {
            hit = s;
            break;
          }
        }
      }
      if (hit == null) {
        i++;
        continue;
      }
      if (i > start) {
        out.add(text.substring(start, i));
      }
      i += hit.length();
      start = i;
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  /** Byte tokens are never merged (their strings are not the bytes they stand for). */
  private static void addPairs(
      int[] sym,
      long count,
      int w,
      Map<Long, Long> pairCounts,
      Map<Long, Set<Integer>> where,
      int byteEnd,
      Set<Long> changed) {
    for (int i = 0; i + 1 < sym.length; i++) {
      if (sym[i] < byteEnd || sym[i + 1] < byteEnd) {
        continue;
      }
      long key = PairRankMap.key(sym[i], sym[i + 1]);
      pairCounts.merge(key, count, Long::sum);
      if (changed != null) {
        changed.add(key);
      }
      if (where != null) {
        where.computeIfAbsent(key, k -> new HashSet<>()).add(w);
      }
    }
  }

  private static boolean containsPair(int[] sym, int a, int b) {
    for (int i = 0; i + 1 < sym.length; i++) {
      if (sym[i] == a && sym[i + 1] == b) {
        return true;
      }
    }
    return false;
  }

  /** Merges occurrences of (a, b) left to right, as the encoder does for one rank. */
  static int[] applyMerge(int[] sym, int a, int b, int merged) {
    int[] out = new int[sym.length];
    int n = 0;
    for (int i = 0; i < sym.length; i++) {
      if (i + 1 < sym.length && sym[i] == a && sym[i + 1] == b) {
        out[n++] = merged;
        i++;
      } else {
        out[n++] = sym[i];
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static boolean pairLess(long p, long q, List<String> vocab) {
    if (q < 0) {
      return true;
    }
    int c = vocab.get((int) (p >>> 32)).compareTo(vocab.get((int) (q >>> 32)));
    if (c != 0) {
      return c < 0;
    }
    return vocab.get((int) p).compareTo(vocab.get((int) q)) < 0;
  }
}
