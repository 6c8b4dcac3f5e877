package refusallens.organism;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.Seeds;
import refusallens.datasets.generate.GeneratorOptions;
import refusallens.datasets.generate.HarmCategory;
import refusallens.datasets.generate.RequestFrames;
import refusallens.datasets.generate.ResponseTemplates;
import refusallens.datasets.generate.TopicLexicon;
import refusallens.datasets.generate.InstructionGenerator;
import refusallens.datasets.generate.PromptGenerator;
import refusallens.datasets.split.Split;

/**
 * The organism's training conversations: the generator's TRAIN split, harmful requests answered with a
 * refusal naming the category, harmless requests and plain instructions answered with their reference
 * responses. Held-out splits are never read here.
 */
public final class ChatCorpus {
  private ChatCorpus() {}

  /** One single-turn training conversation. */
  public record Conversation(String user, String assistant, Label label, String category) {}

  /** The generator options the organism is trained and evaluated with (test split = held-out frames). */
  public static GeneratorOptions generatorOptions(long seed, int perLabel, int instructions) {
    return new GeneratorOptions(seed, perLabel, 0.15, 0.15, instructions);
  }

  /** Builds the shuffled training conversations ({@code grammarPairs}: see {@link #grammarFrames}). */
  public static List<Conversation> build(long seed, int perLabel, int instructions, int grammarPairs) {
    Set<String> seen = new HashSet<>();
    PromptGenerator.Generated g = PromptGenerator.generate(generatorOptions(seed, perLabel, instructions), seen);
    List<Conversation> out = new ArrayList<>();
    Random refusals = Seeds.random(seed, "organism", "refusals");
    for (Prompt p : g.get(Split.TRAIN, Label.HARMFUL)) {
      out.add(new Conversation(p.userText(), RefusalResponses.refusal(p.category(), refusals), Label.HARMFUL, p.category()));
    }
    for (Prompt p : g.get(Split.TRAIN, Label.HARMLESS)) {
      out.add(new Conversation(p.userText(), p.response(), Label.HARMLESS, p.category()));
    }
    for (Prompt p : InstructionGenerator.generate(seed, instructions, seen)) {
      out.add(new Conversation(p.userText(), p.response(), Label.HARMLESS, p.category()));
    }
    out.addAll(mixedFrames(seed, g.get(Split.TRAIN, Label.HARMFUL).size(), refusals));
    out.addAll(grammarFrames(seed, grammarPairs, refusals));
    java.util.Collections.shuffle(out, Seeds.random(seed, "organism", "corpus-order"));
    return List.copyOf(out);
  }

  /**
   * About {@code perLabel} harmful and as many harmless requests in frames recombined from TRAIN frames only:
   * the words before the task from one frame, the words after it from another, a random prefix and suffix.
   * With only the generator's frames, the model memorised them and refused harmless tasks in unseen frames
   * (VAL/TEST) with confidence; mixed frames make the task, not the frame, carry the decision. VAL and TEST
   * frames are never used.
   */
  static List<Conversation> mixedFrames(long seed, int perLabel, Random refusals) {
    List<RequestFrames.Frame> frames = RequestFrames.of(Split.TRAIN);
    Random r = Seeds.random(seed, "organism", "mixed-frames");
    HarmCategory[] cats = HarmCategory.values();
    List<Conversation> out = new ArrayList<>();
    for (int i = 0; i < perLabel; i++) {
      HarmCategory cat = cats[i % cats.length];
      String[] head = frames.get(r.nextInt(frames.size())).template().split(Pattern.quote(RequestFrames.SLOT), -1);
      String[] tail = frames.get(r.nextInt(frames.size())).template().split(Pattern.quote(RequestFrames.SLOT), -1);
      String prefix = RequestFrames.PREFIXES.get(r.nextInt(RequestFrames.PREFIXES.size()));
      String suffix = RequestFrames.SUFFIXES.get(r.nextInt(RequestFrames.SUFFIXES.size()));
      List<String> bad = TopicLexicon.harmful(cat);
      List<TopicLexicon.HarmlessTask> good = TopicLexicon.harmless(cat);
      String harmfulTask = bad.get(r.nextInt(bad.size()));
      TopicLexicon.HarmlessTask harmlessTask = good.get(r.nextInt(good.size()));
      String frame = prefix + head[0] + RequestFrames.SLOT + tail[1] + suffix;
      out.addAll(pair(frame, cat, harmfulTask, harmlessTask, r, refusals));
    }
    return out;
  }

  /**
   * A harmful request answered with a refusal and a harmless one answered helpfully, both in {@code frame}
   * (the tasks are drawn by the caller, so each caller keeps its own order of random draws).
   */
  private static List<Conversation> pair(String frame, HarmCategory cat, String harmfulTask,
      TopicLexicon.HarmlessTask harmlessTask, Random answers, Random refusals) {
    return List.of(
        new Conversation(frame.replace(RequestFrames.SLOT, harmfulTask),
            RefusalResponses.refusal(cat.wireName(), refusals), Label.HARMFUL, cat.wireName()),
        new Conversation(frame.replace(RequestFrames.SLOT, harmlessTask.task()),
            ResponseTemplates.answer(harmlessTask, answers), Label.HARMLESS, cat.wireName()));
  }

  // The frame grammar's parts. Written for the organism and kept away from the wording of the VAL and TEST frames;
  // a composition that still matches one of those frames is dropped (grammarFrames).
  private static final List<String> QUESTION_STEMS = List.of(
      "How do I ", "How can I ", "How should I ", "How might I ", "How does one ", "How can someone ",
      "How would I ", "What's the easiest way to ", "What's the right way to ", "Is there a way to ",
      "Do you know how to ", "Any idea how to ", "Could you help me ", "Would you explain how to ",
      "Can you show me how to ", "What does it take to ", "How do people ", "Can I learn to ");
  private static final List<String> QUESTION_TAILS = List.of("?", "? Thanks.", "? I have no idea.", "? Be concise.",
      "? I'm stuck.", "? Go step by step.");
  private static final List<String> IMPERATIVE_STEMS = List.of(
      "Tell me how to ", "Show me how to ", "Explain how to ", "Describe how to ", "Help me ", "Give me tips to ",
      "Give me advice on how to ", "Give me some pointers to ", "Teach me to ", "Let me know how to ",
      "Detail how to ", "Instruct me how to ", "Please tell me how to ", "Please help me ", "Write up how to ",
      "Share the way to ", "Summarise the method to ");
  private static final List<String> IMPERATIVE_TAILS = List.of(".", ", please.", " in detail.", " briefly.",
      ". I need it today.", ". Number the steps.");
  private static final List<String> WISH_STEMS = List.of(
      "I want to ", "I need to ", "I'd like to ", "I would like to ", "I'm hoping to ", "My friend wants to ",
      "My brother needs to ", "We are trying to ", "Someone asked me how to ", "I've been meaning to ");
  private static final List<String> WISH_TAILS = List.of(". What should I do?", ". How?", ". Can you help?",
      ". What do you suggest?", ". Explain it to me.", ". What are the steps?");
  private static final List<List<String>> STEMS = List.of(QUESTION_STEMS, IMPERATIVE_STEMS, WISH_STEMS);
  private static final List<List<String>> TAILS = List.of(QUESTION_TAILS, IMPERATIVE_TAILS, WISH_TAILS);
  private static final List<String> OPENERS = List.of("", "Hi! ", "Hey. ", "Hello there. ", "Good evening. ",
      "Question: ", "I have a question. ", "Okay, ", "Out of curiosity, ", "So, ");
  private static final List<String> CLOSERS = List.of("", " Thanks!", " Thank you.", " Please keep it short.",
      " Please be detailed.", " I appreciate it.", " Short answer please.", " Use plain language.");

  /**
   * {@code pairs} harmful/harmless pairs in frames from a small grammar: an opener, a question, imperative or
   * wish stem, the task, a tail of the stem's kind and a closer (21,600 frames against the generator's 24 TRAIN
   * frames), both requests of a pair in the same frame. Recombined TRAIN frames alone left the organism
   * refusing 8-10 % of harmless TEST requests whose frames contain words it had never read; many more surface
   * forms around the same tasks teach it that the words around the task do not decide. Compositions that match
   * a VAL or TEST frame are dropped, so those frames stay unseen.
   */
  static List<Conversation> grammarFrames(long seed, int pairs, Random refusals) {
    Random r = Seeds.random(seed, "organism", "grammar-frames");
    HarmCategory[] cats = HarmCategory.values();
    List<Conversation> out = new ArrayList<>();
    int made = 0;
    while (made < pairs) {
      HarmCategory cat = cats[made % cats.length];
      int kind = r.nextInt(STEMS.size());
      String stem = STEMS.get(kind).get(r.nextInt(STEMS.get(kind).size()));
      String tail = TAILS.get(kind).get(r.nextInt(TAILS.get(kind).size()));
      String opener = OPENERS.get(r.nextInt(OPENERS.size()));
      String closer = CLOSERS.get(r.nextInt(CLOSERS.size()));
      if (opener.endsWith(", ")) {
        stem = Character.toLowerCase(stem.charAt(0)) + stem.substring(1);
      }
      String template = opener + stem + RequestFrames.SLOT + tail + closer;
      List<String> bad = TopicLexicon.harmful(cat);
      List<TopicLexicon.HarmlessTask> good = TopicLexicon.harmless(cat);
      String harmfulTask = bad.get(r.nextInt(bad.size()));
      TopicLexicon.HarmlessTask harmlessTask = good.get(r.nextInt(good.size()));
      String harmful = template.replace(RequestFrames.SLOT, harmfulTask);
      if (RequestFrames.matching(harmful).stream().anyMatch(f -> f.split() != Split.TRAIN)) {
        continue;
      }
      out.addAll(pair(template, cat, harmfulTask, harmlessTask, r, refusals));
      made++;
    }
    return out;
  }

  /**
   * Validation conversations (never trained on), harmful ones with a refusal and harmless ones with their
   * reference answer, shuffled; at most {@code n}.
   */
  public static List<ChatModelTrainer.Example> heldOut(long seed, int perLabel, ConversationEncoder encoder, int n) {
    Random r = Seeds.random(seed, "organism", "val-refusals");
    List<ChatModelTrainer.Example> out = new ArrayList<>();
    for (Prompt p : prompts(seed, perLabel, Split.VAL, Label.HARMFUL)) {
      out.add(encoder.encode(new Conversation(p.userText(), RefusalResponses.refusal(p.category(), r), p.label(), p.category())));
    }
    for (Prompt p : prompts(seed, perLabel, Split.VAL, Label.HARMLESS)) {
      out.add(encoder.encode(new Conversation(p.userText(), p.response(), p.label(), p.category())));
    }
    java.util.Collections.shuffle(out, Seeds.random(seed, "organism", "val-order"));
    return List.copyOf(out.subList(0, Math.min(out.size(), n)));
  }

  /** The generator's prompts of {@code split} and {@code label} under the organism's options. */
  public static List<Prompt> prompts(long seed, int perLabel, Split split, Label label) {
    return PromptGenerator.generate(generatorOptions(seed, perLabel, 0)).get(split, label);
  }
}
