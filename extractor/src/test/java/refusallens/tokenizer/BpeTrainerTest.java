package refusallens.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trained Gemma-style tokenizer reloads, round-trips any text and carries the Gemma chat template. */
class BpeTrainerTest {
  @TempDir Path tmp;

  private static List<String> corpus() {
    String[] subjects = {"the baker", "a student", "my neighbour", "the chemist", "our teacher", "the model"};
    String[] verbs = {"bakes", "explains", "writes", "refuses", "answers", "describes"};
    String[] objects = {"bread", "a poem", "the recipe", "a dangerous request", "the question", "history"};
    Random rnd = new Random(7);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String s = subjects[rnd.nextInt(subjects.length)] + " " + verbs[rnd.nextInt(verbs.length)] + " "
          + objects[rnd.nextInt(objects.length)] + (rnd.nextBoolean() ? "." : "!");
      texts.add("<start_of_turn>user\nHow do I do this? " + s + "<end_of_turn>\n<start_of_turn>model\n"
          + "I'm sorry, but I can't help with that.<end_of_turn>\n");
    }
    return texts;
  }

  @Test
  void trainedTokenizerRoundTripsAndRendersTheChatTemplate() throws Exception {
    BpeTrainer.Options opts = new BpeTrainer.Options(500, 2, 128);
    Tokenizer tok = BpeTrainer.trainAndWrite(corpus(), opts, tmp.resolve("tok"));

    // Special tokens at Gemma's order, from tokenizer_config.json.
    for (int i = 0; i < BpeTrainer.GEMMA_SPECIAL_TOKENS.size(); i++) {
      assertEquals(i, tok.tokenId(BpeTrainer.GEMMA_SPECIAL_TOKENS.get(i)).getAsInt());
      assertTrue(tok.isSpecial(i));
    }
    assertEquals(2, tok.bosId().getAsInt());
    assertEquals(1, tok.eosId().getAsInt());
    assertEquals(0, tok.padId().getAsInt());
    assertTrue(tok.vocabSize() <= 500 && tok.vocabSize() > 6 + 256 + 20, "vocab " + tok.vocabSize());

    // Lossless round trip, including characters never seen in training (byte fallback).
    String[] texts = {
      "How do I bake bread?", "  leading and   inner   spaces ", "tabs\tand\nnewlines\n\n",
      "café naïve résumé", "漢字とかな", "emoji 😀🚀 ok", "numbers 1234567 and 3.14159", ""
    };
    for (String t : texts) {
      int[] ids = tok.encode(t, true);
      assertEquals(2, ids[0], "BOS first");
      assertEquals(t, tok.decode(ids, true), "round trip of " + t);
      assertEquals(t, tok.decode(tok.encode(t, false), false));
    }
    // Merges do their work on in-domain text: far fewer tokens than characters.
    String inDomain = "I'm sorry, but I can't help with that.";
    assertTrue(tok.encode(inDomain, false).length < inDomain.length() / 2);
    // Unseen characters are byte tokens, not unk.
    int[] emoji = tok.encode("😀", false);
    assertEquals(List.of("<0xF0>", "<0x9F>", "<0x98>", "<0x80>"), tok.pieces(emoji));

    // The Gemma-2 chat template: special-token strings become their ids, one BOS.
    String text = tok.chatTemplate().render(List.of(ChatMessage.user("How do I bake bread?")), true);
    assertEquals("<bos><start_of_turn>user\nHow do I bake bread?<end_of_turn>\n<start_of_turn>model\n", text);
    int[] ids = tok.encodeChat(List.of(ChatMessage.user("How do I bake bread?")), true);
    assertEquals(2, ids[0]);
    assertEquals(4, ids[1]);
    assertEquals(1, java.util.Arrays.stream(ids).filter(i -> i == 2).count());
    assertTrue(java.util.Arrays.stream(ids).anyMatch(i -> i == 5));
    assertEquals(text, tok.decode(ids, false));
    ChatTemplateException e =
        assertThrows(
            ChatTemplateException.class,
            () -> tok.chatTemplate().render(List.of(ChatMessage.system("x"), ChatMessage.user("y")), true));
    assertEquals("System role not supported", e.templateMessage());
  }

  @Test
  void trainingIsDeterministic() throws Exception {
    BpeTrainer.Options opts = new BpeTrainer.Options(400, 2, 128);
    BpeTrainer.train(corpus(), opts).writeTo(tmp.resolve("a"));
    BpeTrainer.train(corpus(), opts).writeTo(tmp.resolve("b"));
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)));
    }
  }

  @Test
  void templateResourceIsGemma2s() {
    String shipped = BpeTrainer.gemma2ChatTemplate();
    assertEquals(
        TokenizerConfig.read(TokenizerConformanceTest.SHARED.resolve("tokenizers/gemma2/tokenizer_config.json"))
            .chatTemplate(),
        shipped);
  }

  @Test
  void optionsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new BpeTrainer.Options(100, 2, 128));
    assertThrows(IllegalArgumentException.class, () -> new BpeTrainer.Options(2048, 0, 128));
  }
}
