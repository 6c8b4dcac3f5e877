package refusallens.core.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/** Reads the components of a tokenizer.json tree; every error names the file, the field and what is supported. */
final class TokenizerJson {
  static final String NORMALIZERS = "Replace, Prepend, NFC, NFKC, NFD, NFKD, Lowercase, Strip, Sequence";
  static final String PRE_TOKENIZERS = "Split, ByteLevel, Metaspace, Sequence";
  static final String MODELS = "BPE";
  static final String POST_PROCESSORS = "TemplateProcessing, ByteLevel, Sequence";
  static final String DECODERS = "ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence";

  private final String file;

  TokenizerJson(String file) {
    this.file = file;
  }

  private TokenizerFormatException error(String field, String what) {
    return new TokenizerFormatException(file + ": " + field + ": " + what);
  }

  private String type(JsonNode node, String field) {
    JsonNode t = node.get("type");
    if (t == null || !t.isTextual()) {
      throw error(field, "missing \"type\"");
    }
    return t.asText();
  }

  private static boolean bool(JsonNode node, String key, boolean dflt) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? dflt : v.asBoolean();
  }

  private String text(JsonNode node, String key, String field) {
    JsonNode v = node.get(key);
    if (v == null || !v.isTextual()) {
      throw error(field + "." + key, "expected a string");
    }
    return v.asText();
  }

  /** A {"String": s} or {"Regex": r} pattern. */
  private record PatternSpec(Pattern pattern, boolean literal, String search) {}

  private PatternSpec pattern(JsonNode node, String field) {
    JsonNode p = node.get("pattern");
    if (p == null || !p.isObject()) {
      throw error(field + ".pattern", "expected {\"String\": ...} or {\"Regex\": ...}");
    }
    if (p.has("String")) {
      String s = p.get("String").asText();
      return new PatternSpec(HfRegex.literal(s), true, s);
    }
    if (p.has("Regex")) {
      return new PatternSpec(HfRegex.compile(p.get("Regex").asText(), file + ": " + field), false, null);
    }
    throw error(field + ".pattern", "expected {\"String\": ...} or {\"Regex\": ...}");
  }

  Normalizer normalizer(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = type(node, field);
    switch (type) {
      case "Replace": {
        PatternSpec p = pattern(node, field);
        return new Normalizer.Replace(p.pattern(), p.literal(), p.search(), text(node, "content", field));
      }
      case "Prepend":
        return new Normalizer.Prepend(text(node, "prepend", field));
      case "NFC":
        return new Normalizer.Unicode(java.text.Normalizer.Form.NFC);
      case "NFKC":
        return new Normalizer.Unicode(java.text.Normalizer.Form.NFKC);
      case "NFD":
        return new Normalizer.Unicode(java.text.Normalizer.Form.NFD);
      case "NFKD":
        return new Normalizer.Unicode(java.text.Normalizer.Form.NFKD);
      case "Lowercase":
        return new Normalizer.Lowercase();
      case "Strip":
        return new Normalizer.Strip(bool(node, "strip_left", true), bool(node, "strip_right", true));
      case "Sequence":
        return new Normalizer.Sequence(sequence(node, field, "normalizers", this::normalizer));
      default:
        throw error(field, "unsupported normalizer type '" + type + "' (supported: " + NORMALIZERS + ")");
    }
  }

  /** The parts of a {@code Sequence} under {@code key}, each read by {@code part} with its indexed field name. */
  private <T> List<T> sequence(JsonNode node, String field, String key, BiFunction<JsonNode, String, T> part) {
    JsonNode arr = node.get(key);
    if (arr == null || !arr.isArray()) {
      throw error(field + "." + key, "expected an array");
    }
    List<T> list = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      list.add(part.apply(arr.get(i), field + "." + key + "[" + i + "]"));
    }
    return List.copyOf(list);
  }

  PreTokenizer preTokenizer(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = type(node, field);
    switch (type) {
      case "Split": {
        PatternSpec p = pattern(node, field);
        SplitBehavior b = SplitBehavior.parse(text(node, "behavior", field), file + ": " + field + ".behavior");
        String regex = node.path("pattern").path("Regex").asText(null);
        MatchFinder finder =
            Cl100kSplitter.PATTERN.equals(regex) ? new Cl100kSplitter() : MatchFinder.of(p.pattern());
        return new PreTokenizer.Split(finder, b, bool(node, "invert", false));
      }
      case "ByteLevel":
        return new PreTokenizer.ByteLevel(bool(node, "add_prefix_space", true), bool(node, "use_regex", true));
      case "Metaspace":
        return new PreTokenizer.Metaspace(
            replacement(node, field), prependScheme(node, field), bool(node, "split", true));
      case "Sequence":
        return new PreTokenizer.Sequence(sequence(node, field, "pretokenizers", this::preTokenizer));
      default:
        throw error(field, "unsupported pre-tokenizer type '" + type + "' (supported: " + PRE_TOKENIZERS + ")");
    }
  }

  private char replacement(JsonNode node, String field) {
    String r = node.has("replacement") ? node.get("replacement").asText() : "\u2581";
    if (r.length() != 1) {
      throw error(field + ".replacement", "expected one character, got '" + r + "'");
    }
    return r.charAt(0);
  }

  private PreTokenizer.PrependScheme prependScheme(JsonNode node, String field) {
    JsonNode s = node.get("prepend_scheme");
    if (s == null || s.isNull()) {
      // Older files: add_prefix_space true means "always".
      return bool(node, "add_prefix_space", true)
          ? PreTokenizer.PrependScheme.ALWAYS
          : PreTokenizer.PrependScheme.NEVER;
    }
    return switch (s.asText()) {
      case "always" -> PreTokenizer.PrependScheme.ALWAYS;
      case "first" -> PreTokenizer.PrependScheme.FIRST;
      case "never" -> PreTokenizer.PrependScheme.NEVER;
      default -> throw error(field + ".prepend_scheme", "expected always, first or never, got '" + s.asText() + "'");
    };
  }

  BpeModel model(JsonNode node, Map<String, Integer> vocab, String[][] merges) {
    String field = "model";
    if (node == null || !node.isObject()) {
      throw error(field, "missing model object");
    }
    String type = node.has("type") ? node.get("type").asText() : (merges != null ? "BPE" : "?");
    if (!type.equals("BPE")) {
      throw error(field, "unsupported model type '" + type + "' (supported: " + MODELS + ")");
    }
    JsonNode dropout = node.get("dropout");
    if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
      throw error("model.dropout", "BPE dropout is not supported (expected null)");
    }
    if (vocab == null) {
      throw error("model.vocab", "expected an object of token -> id");
    }
    if (merges == null) {
      throw error("model.merges", "expected an array");
    }
    JsonNode unk = node.get("unk_token");
    JsonNode prefix = node.get("continuing_subword_prefix");
    JsonNode suffix = node.get("end_of_word_suffix");
    return new BpeModel(
        vocab,
        merges,
        unk == null || unk.isNull() ? null : unk.asText(),
        bool(node, "fuse_unk", false),
        bool(node, "byte_fallback", false),
        bool(node, "ignore_merges", false),
        prefix == null || prefix.isNull() || prefix.asText().isEmpty() ? null : prefix.asText(),
        suffix == null || suffix.isNull() || suffix.asText().isEmpty() ? null : suffix.asText(),
        file);
  }

  List<AddedToken> addedTokens(JsonNode arr) {
    List<AddedToken> out = new ArrayList<>();
    if (arr == null || arr.isNull()) {
      return out;
    }
    if (!arr.isArray()) {
      throw error("added_tokens", "expected an array");
    }
    for (int i = 0; i < arr.size(); i++) {
      JsonNode t = arr.get(i);
      String f = "added_tokens[" + i + "]";
      if (!t.has("id") || !t.get("id").canConvertToInt()) {
        throw error(f + ".id", "expected an integer");
      }
      out.add(
          new AddedToken(
              t.get("id").asInt(),
              text(t, "content", f),
              bool(t, "single_word", false),
              bool(t, "lstrip", false),
              bool(t, "rstrip", false),
              bool(t, "normalized", !bool(t, "special", false)),
              bool(t, "special", false)));
    }
    return out;
  }

  PostProcessor postProcessor(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = type(node, field);
    switch (type) {
      case "TemplateProcessing": {
        JsonNode single = node.get("single");
        JsonNode specials = node.get("special_tokens");
        if (single == null || !single.isArray()) {
          throw error(field + ".single", "expected an array");
        }
        List<int[]> items = new ArrayList<>();
        for (int i = 0; i < single.size(); i++) {
          JsonNode item = single.get(i);
          if (item.has("Sequence")) {
            items.add(null);
          } else if (item.has("SpecialToken")) {
            String id = item.get("SpecialToken").get("id").asText();
            JsonNode spec = specials == null ? null : specials.get(id);
            if (spec == null || !spec.has("ids")) {
              throw error(field + ".special_tokens", "no entry for '" + id + "'");
            }
            int[] ids = new int[spec.get("ids").size()];
            for (int k = 0; k < ids.length; k++) {
              ids[k] = spec.get("ids").get(k).asInt();
            }
            items.add(ids);
          } else {
            throw error(field + ".single[" + i + "]", "expected Sequence or SpecialToken");
          }
        }
        return new PostProcessor.Template(items);
      }
      case "ByteLevel":
        return new PostProcessor.ByteLevelOffsets();
      case "Sequence":
        return new PostProcessor.Sequence(sequence(node, field, "processors", this::postProcessor));
      default:
        throw error(field, "unsupported post-processor type '" + type + "' (supported: " + POST_PROCESSORS + ")");
    }
  }

  Decoder decoder(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return null;
    }
    String type = type(node, field);
    switch (type) {
      case "ByteLevel":
        return new Decoder.ByteLevel();
      case "Replace": {
        PatternSpec p = pattern(node, field);
        return new Decoder.Replace(p.pattern(), p.literal(), p.search(), text(node, "content", field));
      }
      case "ByteFallback":
        return new Decoder.ByteFallback();
      case "Fuse":
        return new Decoder.Fuse();
      case "Strip": {
        String content = text(node, "content", field);
        if (content.codePointCount(0, content.length()) != 1) {
          throw error(field + ".content", "expected one character");
        }
        return new Decoder.Strip(
            content.codePointAt(0), node.path("start").asInt(0), node.path("stop").asInt(0));
      }
      case "Metaspace":
        return new Decoder.Metaspace(replacement(node, field), prependScheme(node, field));
      case "Sequence":
        return new Decoder.Sequence(sequence(node, field, "decoders", this::decoder));
      default:
        throw error(field, "unsupported decoder type '" + type + "' (supported: " + DECODERS + ")");
    }
  }
}
