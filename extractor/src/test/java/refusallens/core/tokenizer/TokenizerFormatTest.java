package refusallens.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and unsupported tokenizer files fail with messages naming the file and what was expected;
 * variants of the Gemma fixture's tokenizer.json exercise the components the fixtures do not use.
 */
class TokenizerFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path GEMMA = TokenizerConformanceTest.SHARED.resolve("fixtures/gemma2/model");

  @TempDir Path tmp;

  /** Writes the Gemma fixture's tokenizer.json after {@code edit} into a fresh directory. */
  private Path gemmaVariant(String name, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode root = (ObjectNode) JSON.readTree(GEMMA.resolve("tokenizer.json").toFile());
    edit.accept(root);
    Path dir = Files.createDirectories(tmp.resolve(name));
    JSON.writeValue(dir.resolve("tokenizer.json").toFile(), root);
    return dir;
  }

  @Test
  void missingFileNamesThePath() {
    Path missing = tmp.resolve("nowhere");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Tokenizer.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
    // A directory without tokenizer.json names the file it looked for.
    TokenizerFormatException inDir = assertThrows(TokenizerFormatException.class, () -> Tokenizer.load(tmp));
    assertTrue(inDir.getMessage().contains(tmp.resolve("tokenizer.json") + ": file not found"), inDir.getMessage());
  }

  @Test
  void badJsonIsAClearError() throws IOException {
    Path f = tmp.resolve("tokenizer.json");
    Files.writeString(f, "{\"model\": {\"type\": \"BPE\", \"vocab\": ");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Tokenizer.load(f));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("malformed JSON"), e.getMessage());
  }

  @Test
  void unsupportedComponentsNameTheTypeAndTheSupportedOnes() throws IOException {
    record Case(String field, String json, String type, String supported) {}
    Case[] cases = {
      new Case("normalizer", "{\"type\": \"BertNormalizer\"}", "BertNormalizer", TokenizerJson.NORMALIZERS),
      new Case("pre_tokenizer", "{\"type\": \"Whitespace\"}", "Whitespace", TokenizerJson.PRE_TOKENIZERS),
      new Case("decoder", "{\"type\": \"WordPiece\"}", "WordPiece", TokenizerJson.DECODERS),
      new Case("post_processor", "{\"type\": \"BertProcessing\"}", "BertProcessing", TokenizerJson.POST_PROCESSORS),
      new Case("model", "{\"type\": \"Unigram\", \"vocab\": []}", "Unigram", TokenizerJson.MODELS),
    };
    for (Case c : cases) {
      Path dir = gemmaVariant(c.type(), r -> r.set(c.field(), readTree(c.json())));
      TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Tokenizer.load(dir));
      String m = e.getMessage();
      assertTrue(m.contains(dir.resolve("tokenizer.json").toString()), m);
      assertTrue(m.contains("'" + c.type() + "'") && m.contains(c.supported()) && m.contains(c.field()), m);
    }
  }

  @Test
  void mergeWithUnknownTokenIsAClearError() throws IOException {
    Path dir = gemmaVariant("badmerge", r -> ((ArrayNode) r.get("model").get("merges")).addArray().add("zz").add("qq"));
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Tokenizer.load(dir));
    assertTrue(e.getMessage().contains("model.vocab") && e.getMessage().contains("\"zz\""), e.getMessage());
  }

  @Test
  void mergesInStringFormEncodeLikeThePairForm() throws IOException {
    Path dir =
        gemmaVariant(
            "stringmerges",
            r -> {
              ArrayNode pairs = (ArrayNode) r.get("model").get("merges");
              ArrayNode strings = JSON.createArrayNode();
              pairs.forEach(p -> strings.add(p.get(0).asText() + " " + p.get(1).asText()));
              ((ObjectNode) r.get("model")).set("merges", strings);
            });
    Tokenizer pairForm = Tokenizer.load(GEMMA);
    Tokenizer stringForm = Tokenizer.load(dir);
    String text = "How do I bake bread? it's, we're, they'll, I'd — café 漢字 😀";
    assertArrayEquals(pairForm.encode(text, true), stringForm.encode(text, true));
  }

  @Test
  void metaspacePreTokenizerAndDecoderMatchTheReplaceNormalizer() throws IOException {
    // Metaspace(prepend_scheme=first, split=false) turns "Hello world" into "▁Hello▁world", which the
    // fixture's Replace normalizer produces from " Hello world"; its decoder drops that first "▁" again.
    Path dir =
        gemmaVariant(
            "metaspace",
            r -> {
              r.putNull("normalizer");
              r.set(
                  "pre_tokenizer",
                  readTree("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"first\",\"split\":false}"));
              r.set(
                  "decoder",
                  readTree(
                      "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Metaspace\",\"replacement\":\"▁\","
                          + "\"prepend_scheme\":\"first\",\"split\":false},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"}]}"));
            });
    Tokenizer meta = Tokenizer.load(dir);
    Tokenizer gemma = Tokenizer.load(GEMMA);
    String text = "How do I bake bread?";
    int[] ids = meta.encode(text, false);
    assertArrayEquals(gemma.encode(" " + text, false), ids);
    assertEquals(text, meta.decode(ids, false));
    // After an added token the text no longer starts the input: no prefix with prepend_scheme "first".
    assertArrayEquals(
        IntStream.concat(
                IntStream.of(gemma.tokenId("<start_of_turn>").getAsInt()),
                IntStream.of(gemma.encode(text, false)))
            .toArray(),
        meta.encode("<start_of_turn>" + text, false));
  }

  @Test
  void addedTokenFlagsStripAndWordBoundaries() throws IOException {
    Tokenizer gemma = Tokenizer.load(GEMMA);
    int maskId = gemma.vocabSize();
    Path dir =
        gemmaVariant(
            "flags",
            r -> {
              ArrayNode added = (ArrayNode) r.get("added_tokens");
              added.add(addedToken(maskId, "<mask>", true, true, false));
              added.add(addedToken(maskId + 1, "cat", false, false, true));
            });
    Tokenizer tok = Tokenizer.load(dir);
    assertEquals(maskId + 2, tok.vocabSize());
    // lstrip and rstrip swallow the spaces around the token.
    assertArrayEquals(
        IntStream.concat(IntStream.concat(IntStream.of(gemma.encode("a", false)), IntStream.of(maskId)),
                IntStream.of(gemma.encode("b", false)))
            .toArray(),
        tok.encode("a  <mask>  b", false));
    // single_word: "cat" inside "concatenate" is not the added token, a free-standing "cat" is.
    assertArrayEquals(gemma.encode("concatenate", false), tok.encode("concatenate", false));
    int[] free = tok.encode("a cat", false);
    assertEquals(maskId + 1, free[free.length - 1]);
  }

  private static ObjectNode addedToken(int id, String content, boolean lstrip, boolean rstrip, boolean singleWord) {
    ObjectNode t = JSON.createObjectNode();
    t.put("id", id).put("content", content).put("single_word", singleWord).put("lstrip", lstrip);
    t.put("rstrip", rstrip).put("normalized", false).put("special", true);
    return t;
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void templateWithoutRaiseRendersAndMissingTemplateIsAClearError() throws IOException {
    Path dir = gemmaVariant("notemplate", r -> {});
    Tokenizer tok = Tokenizer.load(dir);
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, tok::chatTemplate);
    assertTrue(e.getMessage().contains("no chat template"), e.getMessage());
  }
}
