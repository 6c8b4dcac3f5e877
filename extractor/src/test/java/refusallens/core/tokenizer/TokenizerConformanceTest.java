package refusallens.core.tokenizer;

import refusallens.chat.ChatMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every tokenizer and chat case of the shared reference files (computed with HF tokenizers and
 * transformers) must be reproduced exactly: ids with and without special tokens, decoded text, rendered
 * chat text and its ids.
 */
class TokenizerConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path SHARED = Path.of(System.getProperty("refusallens.shared", "../../shared"));

  /** The real Llama-3.1 tokenizer, loaded once for the tests that use it. */
  private static final class Llama {
    static final Tokenizer TOKENIZER = Tokenizer.load(SHARED.resolve("tokenizers/llama3"));
  }

  private static int[] ints(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asInt();
    }
    return out;
  }

  private static List<ChatMessage> messages(JsonNode arr) {
    List<ChatMessage> out = new ArrayList<>();
    for (JsonNode m : arr) {
      out.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
    }
    return out;
  }

  private static String shortName(String text) {
    String s = text.replace("\n", "\\n");
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  static Stream<DynamicTest> cases(String family, Tokenizer tok, JsonNode ref) {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ref.path("tokenizer")) {
      String text = c.get("text").asText();
      tests.add(
          DynamicTest.dynamicTest(
              family + " tokenizer: " + shortName(text),
              () -> {
                assertArrayEquals(ints(c.get("ids_with_special")), tok.encode(text, true), "ids with special");
                assertArrayEquals(ints(c.get("ids_no_special")), tok.encode(text, false), "ids without special");
                assertEquals(c.get("decoded").asText(), tok.decode(ints(c.get("ids_no_special")), false));
              }));
    }
    for (JsonNode c : ref.path("chat")) {
      List<ChatMessage> msgs = messages(c.get("messages"));
      boolean gen = c.get("add_generation_prompt").asBoolean();
      tests.add(
          DynamicTest.dynamicTest(
              family + " chat: " + shortName(msgs.get(msgs.size() - 1).content()),
              () -> {
                String text = tok.chatTemplate().render(msgs, gen);
                assertEquals(c.get("text").asText(), text);
                assertArrayEquals(ints(c.get("ids")), tok.encode(text, false));
                assertArrayEquals(ints(c.get("ids")), tok.encodeChat(msgs, gen));
              }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> fixtureTokenizers() throws IOException {
    List<Path> dirs;
    try (Stream<Path> s = Files.list(SHARED.resolve("fixtures"))) {
      dirs = s.filter(d -> Files.exists(d.resolve("reference.json"))).sorted().toList();
    }
    assertTrue(dirs.size() >= 2, "expected the gemma2 and llama3 fixtures under " + SHARED);
    return dirs.stream()
        .flatMap(
            d -> {
              try {
                Tokenizer tok = Tokenizer.load(d.resolve("model"));
                JsonNode ref = JSON.readTree(d.resolve("reference.json").toFile());
                assertTrue(ref.path("tokenizer").size() > 0 && ref.path("chat").size() > 0);
                return cases("fixture " + d.getFileName(), tok, ref);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }

  @TestFactory
  Stream<DynamicTest> realLlama31Tokenizer() throws IOException {
    Tokenizer tok = Llama.TOKENIZER;
    assertEquals(128_256, tok.vocabSize());
    JsonNode ref = JSON.readTree(SHARED.resolve("tokenizers/reference.json").toFile()).get("llama3");
    assertTrue(ref.path("tokenizer").size() > 0 && ref.path("chat").size() > 0);
    return cases("llama3.1", tok, ref);
  }

  @TestFactory
  Stream<DynamicTest> realGemma2Template() throws IOException {
    ChatTemplate template =
        TokenizerConfig.read(SHARED.resolve("tokenizers/gemma2/tokenizer_config.json"))
            .requireChatTemplate(SHARED.resolve("tokenizers/gemma2"));
    JsonNode ref = JSON.readTree(SHARED.resolve("tokenizers/reference.json").toFile()).get("gemma2");
    assertTrue(ref.path("chat").size() > 0);
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ref.get("chat")) {
      List<ChatMessage> msgs = messages(c.get("messages"));
      boolean gen = c.get("add_generation_prompt").asBoolean();
      tests.add(
          DynamicTest.dynamicTest(
              "gemma2 template: " + shortName(msgs.get(0).role() + " " + msgs.get(0).content()),
              () -> {
                if (c.get("text").isNull()) {
                  ChatTemplateException e =
                      assertThrows(ChatTemplateException.class, () -> template.render(msgs, gen));
                  assertEquals(c.get("error").asText(), e.templateMessage());
                  assertTrue(e.getMessage().contains(c.get("error").asText()), e.getMessage());
                } else {
                  assertEquals(c.get("text").asText(), template.render(msgs, gen));
                }
              }));
    }
    return tests.stream();
  }

  @Test
  void specialTokenIdsComeFromTokenizerConfig() {
    Tokenizer gemma = Tokenizer.load(SHARED.resolve("fixtures/gemma2/model"));
    assertEquals(gemma.tokenId("<bos>"), gemma.bosId());
    assertEquals(gemma.tokenId("<eos>"), gemma.eosId());
    assertEquals(gemma.tokenId("<pad>"), gemma.padId());
    Tokenizer llama = Llama.TOKENIZER;
    assertEquals(llama.tokenId("<|begin_of_text|>"), llama.bosId());
    assertEquals(llama.tokenId("<|eot_id|>"), llama.eosId());
    assertTrue(llama.isSpecial(llama.eosId().getAsInt()));
  }

  @Test
  void loadsFromTheFileAsFromItsDirectory() {
    Tokenizer fromFile = Tokenizer.load(SHARED.resolve("fixtures/llama3/model/tokenizer.json"));
    Tokenizer fromDir = Tokenizer.load(SHARED.resolve("fixtures/llama3/model"));
    String text = "<|start_header_id|>user<|end_header_id|>\n\nHello, world!";
    assertArrayEquals(fromDir.encode(text, true), fromFile.encode(text, true));
    assertEquals(fromDir.bosId(), fromFile.bosId());
    assertTrue(fromFile.hasChatTemplate());
  }

  @Test
  void skipSpecialTokensDropsThem() {
    Tokenizer llama = Llama.TOKENIZER;
    String text = "<|begin_of_text|>literal special<|eot_id|>";
    int[] ids = llama.encode(text, true);
    assertEquals("literal special", llama.decode(ids, true));
    assertEquals("<|begin_of_text|>" + text, llama.decode(ids, false));
    List<String> pieces = llama.pieces(ids);
    assertEquals("<|begin_of_text|>", pieces.get(0));
    assertEquals(ids.length, pieces.size());
  }
}
