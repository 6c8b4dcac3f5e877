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

  /** Builds the shuffled training conversations. */
  public static List<Conversation> build(long seed, int perLabel, int instructions) {
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
      out.add(new Conversation(prefix + head[0] + harmfulTask + tail[1] + suffix,
          RefusalResponses.refusal(cat.wireName(), refusals), Label.HARMFUL, cat.wireName()));
      out.add(new Conversation(prefix + head[0] + harmlessTask.task() + tail[1] + suffix,
          ResponseTemplates.answer(harmlessTask, r), Label.HARMLESS, cat.wireName()));
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
