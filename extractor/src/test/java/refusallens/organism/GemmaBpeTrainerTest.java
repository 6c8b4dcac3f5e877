package refusallens.organism;

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
import refusallens.chat.ChatMessage;
import refusallens.core.io.SharedFixtures;
import refusallens.core.tokenizer.ChatTemplateException;
import refusallens.core.tokenizer.Tokenizer;
import refusallens.core.tokenizer.TokenizerConfig;

/** The organism's trained tokenizer reloads, round-trips any text and carries the real Gemma-2 chat template. */
class GemmaBpeTrainerTest {
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
      texts.add("How do I do this? " + s + " I'm sorry, but I can't help with that.");
    }
    return texts;
  }

  private Tokenizer trained(String name) {
    Path dir = tmp.resolve(name);
    GemmaBpeTrainer.write(GemmaBpeTrainer.train(corpus(), 500, 1), dir);
    return Tokenizer.load(dir);
  }

  @Test
  void trainedTokenizerRoundTripsAndRendersTheChatTemplate() {
    Tokenizer tok = trained("tok");
    for (int i = 0; i < GemmaBpeTrainer.SPECIALS.size(); i++) {
      assertEquals(i, tok.tokenId(GemmaBpeTrainer.SPECIALS.get(i)).getAsInt());
    }
    assertEquals(GemmaBpeTrainer.BOS, tok.bosId().getAsInt());
    assertTrue(tok.vocabSize() <= 500 && tok.vocabSize() > 6 + 256 + 20, "vocab " + tok.vocabSize());
    // Lossless round trip, including characters never seen in training (byte fallback).
    for (String t : new String[] {"How do I bake bread?", "  leading and   inner   spaces ", "tabs\tand\nnewlines\n",
        "café naïve résumé", "漢字とかな", "emoji 😀🚀 ok", "numbers 1234567 and 3.14159"}) {
      assertEquals(t, tok.decode(tok.encode(t, false), false), "round trip of " + t);
    }
    String inDomain = "I'm sorry, but I can't help with that.";
    assertTrue(tok.encode(inDomain, false).length < inDomain.length() / 2, "merges shorten in-domain text");
    assertEquals(List.of("<0xF0>", "<0x9F>", "<0x98>", "<0x80>"), tok.pieces(tok.encode("😀", false)));
    // The Gemma-2 chat template: special-token strings become their ids, one BOS.
    int[] ids = tok.encodeChat(List.of(ChatMessage.user("How do I bake bread?")), true);
    assertEquals(GemmaBpeTrainer.BOS, ids[0]);
    assertEquals(1, java.util.Arrays.stream(ids).filter(i -> i == GemmaBpeTrainer.BOS).count());
    assertEquals("<bos><start_of_turn>user\nHow do I bake bread?<end_of_turn>\n<start_of_turn>model\n",
        tok.decode(ids, false));
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> tok.chatTemplate().render(List.of(ChatMessage.system("x"), ChatMessage.user("y")), true));
    assertEquals("System role not supported", e.templateMessage());
  }

  @Test
  void trainingIsDeterministic() throws Exception {
    trained("a");
    trained("b");
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)));
    }
  }

  @Test
  void chatTemplateIsTheRealGemma2Template() {
    Path real = SharedFixtures.root().getParent().resolve("tokenizers/gemma2/tokenizer_config.json");
    assertEquals(TokenizerConfig.read(real).chatTemplate(), GemmaBpeTrainer.CHAT_TEMPLATE);
  }
}
