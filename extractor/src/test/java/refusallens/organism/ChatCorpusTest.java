package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import refusallens.datasets.Label;
import refusallens.datasets.generate.HarmCategory;
import refusallens.datasets.generate.RequestFrames;
import refusallens.datasets.generate.TopicLexicon;
import refusallens.datasets.split.Split;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The organism's training data: frame-grammar pairs (same frame for both labels, never a VAL or TEST frame),
 * the user span and first-token weights of encoded conversations, and the per-step prompt noise.
 */
class ChatCorpusTest {

  @Test
  void grammarPairsShareAFrameThatIsNeverAHeldOutFrame() {
    List<ChatCorpus.Conversation> pairs = ChatCorpus.grammarFrames(1, 1500, new Random(3));
    assertEquals(3000, pairs.size());
    Set<String> templates = new HashSet<>();
    for (int i = 0; i < pairs.size(); i += 2) {
      ChatCorpus.Conversation harmful = pairs.get(i);
      ChatCorpus.Conversation harmless = pairs.get(i + 1);
      assertEquals(Label.HARMFUL, harmful.label());
      assertEquals(Label.HARMLESS, harmless.label());
      HarmCategory cat = HarmCategory.values()[(i / 2) % HarmCategory.values().length];
      String a = withoutTask(harmful.user(), TopicLexicon.harmful(cat));
      String b = withoutTask(harmless.user(), TopicLexicon.harmless(cat).stream().map(TopicLexicon.HarmlessTask::task).toList());
      assertEquals(a, b, "a pair differs outside its task: " + harmful.user() + " / " + harmless.user());
      templates.add(a);
      for (ChatCorpus.Conversation c : List.of(harmful, harmless)) {
        for (RequestFrames.Frame f : RequestFrames.matching(c.user())) {
          assertEquals(Split.TRAIN, f.split(), c.user() + " matches held-out frame " + f.id());
        }
      }
      assertTrue(refusals(cat).contains(harmful.assistant()), "not a refusal of " + cat + ": " + harmful.assistant());
    }
    // the point of the grammar: many surface forms, not the generator's 24 TRAIN frames
    assertTrue(templates.size() > 1000, templates.size() + " distinct frames");
    assertEquals(pairs, ChatCorpus.grammarFrames(1, 1500, new Random(3)), "seeded: the same pairs again");
    assertNotEquals(pairs, ChatCorpus.grammarFrames(2, 1500, new Random(3)));
  }

  private static Set<String> refusals(HarmCategory cat) {
    Set<String> out = new HashSet<>();
    Random r = new Random(0);
    for (int i = 0; i < 50 * RefusalResponses.count(); i++) {
      out.add(RefusalResponses.refusal(cat.wireName(), r));
    }
    return out;
  }

  private static String withoutTask(String text, List<String> tasks) {
    String longest = null;
    for (String t : tasks) {
      if (text.contains(t) && (longest == null || t.length() > longest.length())) {
        longest = t;
      }
    }
    assertTrue(longest != null, "no task of the category in: " + text);
    return text.replace(longest, RequestFrames.SLOT);
  }

  @Test
  void encodedConversationsMarkTheUserWordsAndWeighAnswersFirstTokensMore() {
    Tokenizer tokenizer = Tokenizer.load(Organism.defaultModelDir());
    ConversationEncoder encoder = new ConversationEncoder(tokenizer);
    String user = "Hi! How do I bake bread?";
    ChatModelTrainer.Example answer =
        encoder.encode(new ChatCorpus.Conversation(user, "Sure! Mix flour and water.", Label.HARMLESS, null));
    ChatModelTrainer.Example refusal =
        encoder.encode(new ChatCorpus.Conversation(user, "I'm sorry, but I can't help with that.", Label.HARMFUL, null));
    int[] words = java.util.Arrays.copyOfRange(answer.ids(), answer.userStart(), answer.userEnd());
    assertEquals(user, tokenizer.decode(words, false));
    assertEquals(answer.userStart(), refusal.userStart());
    assertEquals(answer.userEnd(), refusal.userEnd());
    assertEquals(ChatModelTrainer.ANSWER_FIRST_TOKEN_WEIGHT, answer.firstTokenWeight());
    assertEquals(ChatModelTrainer.REFUSAL_FIRST_TOKEN_WEIGHT, refusal.firstTokenWeight());
    assertTrue(answer.firstTokenWeight() > refusal.firstTokenWeight());
  }

  @Test
  void promptNoiseReplacesOnlyUserTokensWithNonSpecialOnesAndIsSeededByStep() {
    Tokenizer tokenizer = Tokenizer.load(Organism.defaultModelDir());
    ConversationEncoder encoder = new ConversationEncoder(tokenizer);
    ChatModelTrainer.Example e = encoder.encode(new ChatCorpus.Conversation(
        "Please explain how to plant tomatoes in a small garden.", "Sure! Dig, plant, water.", Label.HARMLESS, null));
    List<ChatModelTrainer.Example> batch = List.of(e);
    int vocab = tokenizer.vocabSize();
    assertSame(batch, OrganismTrainer.withPromptNoise(batch, 1, 5, 0.0, vocab), "no noise: the batch itself");
    int[] all = OrganismTrainer.withPromptNoise(batch, 1, 5, 1.0, vocab).get(0).ids();
    for (int t = 0; t < all.length; t++) {
      if (t >= e.userStart() && t < e.userEnd()) {
        assertTrue(all[t] >= GemmaBpeTrainer.SPECIALS.size() && all[t] < vocab, "token " + all[t]);
      } else {
        assertEquals(e.ids()[t], all[t], "position " + t + " outside the user's words changed");
      }
    }
    int[] some = OrganismTrainer.withPromptNoise(batch, 1, 5, 0.3, vocab).get(0).ids();
    assertArrayEquals(some, OrganismTrainer.withPromptNoise(batch, 1, 5, 0.3, vocab).get(0).ids());
    boolean differs = false;
    for (int step = 6; step < 12 && !differs; step++) {
      differs = !java.util.Arrays.equals(some, OrganismTrainer.withPromptNoise(batch, 1, step, 0.3, vocab).get(0).ids());
    }
    assertTrue(differs, "every step draws new noise");
    assertArrayEquals(e.target(), OrganismTrainer.withPromptNoise(batch, 1, 5, 1.0, vocab).get(0).target());
  }
}
