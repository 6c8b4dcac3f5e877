package refusallens.organism;

import refusallens.files.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Trains a Gemma-style BPE tokenizer on a corpus and writes it as {@code tokenizer.json} +
 * {@code tokenizer_config.json}: {@code Replace(' ', '▁')} normalizer, no pre-tokenizer, BPE with byte
 * fallback ({@code <0xNN>} pieces), the Gemma special tokens and the Gemma-2 chat template.
 *
 * <p>Merges are learnt within words (a word is a run starting at a {@code ▁}), so no merge spans a word
 * boundary; ties between equally frequent pairs go to the lexicographically smaller pair (deterministic).
 */
public final class GemmaBpeTrainer {
  /** The special tokens, ids 0..5 as in Gemma's vocabulary. */
  public static final List<String> SPECIALS =
      List.of("<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>");

  public static final int PAD = 0;
  public static final int EOS = 1;
  public static final int BOS = 2;
  public static final int END_OF_TURN = 5;

  static final char SPACE = '\u2581';

  /** The Gemma-2 chat template (as on the Hub for gemma-2-*-it). */
  public static final String CHAT_TEMPLATE =
      "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
          + "{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          + "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
          + "{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
          + "{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}";

  /** A trained vocabulary: token -> id (specials, bytes, characters, merged pieces) and the merges by rank. */
  public record Vocabulary(Map<String, Integer> vocab, List<String[]> merges) {
    public int size() {
      return vocab.size();
    }
  }

  private GemmaBpeTrainer() {}

  /**
   * Learns merges until the vocabulary has {@code vocabSize} entries (or no pair occurs twice); characters
   * seen fewer than {@code minCharCount} times are left to byte fallback.
   */
  public static Vocabulary train(List<String> texts, int vocabSize, int minCharCount) {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : SPECIALS) {
      vocab.put(s, vocab.size());
    }
    for (int b = 0; b < 256; b++) {
      vocab.put(String.format("<0x%02X>", b), vocab.size());
    }
    // words with counts, and the character alphabet
    Map<String, Integer> wordCounts = new HashMap<>();
    Map<Integer, Integer> charCounts = new TreeMap<>();
    for (String text : texts) {
      String norm = text.replace(' ', SPACE);
      // words start at '▁'; a newline is a word of its own, so no merge ever joins it to text and a
      // chat turn tokenizes the same with or without what follows its header
      int start = 0;
      for (int i = 1; i <= norm.length(); i++) {
        boolean boundary = i == norm.length() || norm.charAt(i) == SPACE || norm.charAt(i) == '\n'
            || norm.charAt(i - 1) == '\n';
        if (boundary) {
          if (i > start) {
            wordCounts.merge(norm.substring(start, i), 1, Integer::sum);
          }
          start = i;
        }
      }
      norm.codePoints().forEach(cp -> charCounts.merge(cp, 1, Integer::sum));
    }
    for (Map.Entry<Integer, Integer> e : charCounts.entrySet()) {
      String ch = new String(Character.toChars(e.getKey()));
      if (e.getValue() >= minCharCount && !vocab.containsKey(ch)) {
        vocab.put(ch, vocab.size());
      }
    }
    // words as symbol-id lists (ids into `symbols`); characters outside the alphabet never merge
    List<String> symbols = new ArrayList<>();
    Map<String, Integer> symbolIds = new HashMap<>();
    List<int[]> words = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (Map.Entry<String, Integer> e : new TreeMap<>(wordCounts).entrySet()) {
      int[] w = e.getKey().codePoints().map(cp -> symbolIds.computeIfAbsent(new String(Character.toChars(cp)), k -> {
        symbols.add(k);
        return symbols.size() - 1;
      })).toArray();
      words.add(w);
      counts.add(e.getValue());
    }
    int[] lengths = words.stream().mapToInt(w -> w.length).toArray();
    List<String[]> merges = new ArrayList<>();
    while (vocab.size() < vocabSize) {
      Map<Long, long[]> pairCounts = new HashMap<>();
      for (int w = 0; w < words.size(); w++) {
        int[] s = words.get(w);
        for (int i = 0; i + 1 < lengths[w]; i++) {
          if (vocab.containsKey(symbols.get(s[i])) && vocab.containsKey(symbols.get(s[i + 1]))) {
            pairCounts.computeIfAbsent(((long) s[i] << 32) | s[i + 1], k -> new long[1])[0] += counts.get(w);
          }
        }
      }
      long best = -1;
      long bestCount = 1;
      String bestKey = null;
      for (Map.Entry<Long, long[]> e : pairCounts.entrySet()) {
        long c = e.getValue()[0];
        if (c < 2 || c < bestCount) { // a pair seen once is not worth a token
          continue;
        }
        String key = symbols.get((int) (e.getKey() >>> 32)) + "\u0000" + symbols.get((int) (long) e.getKey());
        if (c > bestCount || bestKey == null || key.compareTo(bestKey) < 0) {
          best = e.getKey();
          bestCount = c;
          bestKey = key;
        }
      }
      if (best < 0) {
        break;
      }
      int left = (int) (best >>> 32);
      int right = (int) best;
      String merged = symbols.get(left) + symbols.get(right);
      merges.add(new String[] {symbols.get(left), symbols.get(right)});
      vocab.putIfAbsent(merged, vocab.size());
      int mergedId = symbolIds.computeIfAbsent(merged, k -> {
        symbols.add(k);
        return symbols.size() - 1;
      });
      for (int w = 0; w < words.size(); w++) {
        int[] s = words.get(w);
        int n = lengths[w];
        int o = 0;
        for (int i = 0; i < n; i++) {
          if (i + 1 < n && s[i] == left && s[i + 1] == right) {
            s[o++] = mergedId;
            i++;
          } else {
            s[o++] = s[i];
          }
        }
        lengths[w] = o;
      }
    }
    return new Vocabulary(vocab, merges);
  }

  /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir} (atomically each). */
  public static void write(Vocabulary v, Path dir) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIALS.size(); i++) {
      ObjectNode t = added.addObject();
      t.put("id", i);
      t.put("content", SPECIALS.get(i));
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    ObjectNode normalizer = root.putObject("normalizer");
    normalizer.put("type", "Replace");
    normalizer.putObject("pattern").put("String", " ");
    normalizer.put("content", String.valueOf(SPACE));
    root.putNull("pre_tokenizer");
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 0);
    ObjectNode bos = post.putObject("special_tokens").putObject("<bos>");
    bos.put("id", "<bos>");
    bos.putArray("ids").add(BOS);
    bos.putArray("tokens").add("<bos>");
    ObjectNode decoder = root.putObject("decoder");
    decoder.put("type", "Sequence");
    ArrayNode decoders = decoder.putArray("decoders");
    ObjectNode replace = decoders.addObject();
    replace.put("type", "Replace");
    replace.putObject("pattern").put("String", String.valueOf(SPACE));
    replace.put("content", " ");
    decoders.addObject().put("type", "ByteFallback");
    decoders.addObject().put("type", "Fuse");
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.put("unk_token", "<unk>");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", true);
    model.put("byte_fallback", true);
    model.put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    v.vocab().forEach(vocab::put);
    ArrayNode merges = model.putArray("merges");
    for (String[] m : v.merges()) {
      merges.addArray().add(m[0]).add(m[1]);
    }

    ObjectNode config = json.createObjectNode();
    config.put("add_bos_token", true);
    config.put("add_eos_token", false);
    config.putArray("additional_special_tokens").add("<start_of_turn>").add("<end_of_turn>");
    config.put("bos_token", "<bos>");
    config.put("eos_token", "<eos>");
    config.put("pad_token", "<pad>");
    config.put("unk_token", "<unk>");
    config.put("padding_side", "left");
    config.put("clean_up_tokenization_spaces", false);
    config.put("model_max_length", 8192);
    config.put("tokenizer_class", "GemmaTokenizer");
    config.put("chat_template", CHAT_TEMPLATE);
    try {
      Files.createDirectories(dir);
      AtomicFiles.writeJson(dir.resolve("tokenizer.json"), root);
      AtomicFiles.writeJson(dir.resolve("tokenizer_config.json"), config);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write tokenizer files in " + dir, e);
    }
  }
}
