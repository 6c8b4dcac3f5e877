package refusallens.datasets.generate;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import refusallens.datasets.split.Split;

/**
 * The request templates ("frames") of the built-in generator, one disjoint set per split so that a test
 * prompt never shares a template with a training prompt. Harmful and harmless prompts are built from the same
 * frames, prefixes and suffixes: only the task differs, so the difference a model sees is the harm.
 */
public final class RequestFrames {
  /** Where the task goes in a frame. */
  public static final String SLOT = "{task}";

  /** A request template with a stable id (e.g. {@code train-07}). */
  public record Frame(String id, Split split, String template) {
    public Frame {
      if (!template.contains(SLOT)) {
        throw new IllegalArgumentException("frame " + id + " lacks " + SLOT);
      }
    }

    /** The frame with {@code task} in its slot. */
    public String fill(String task) {
      return template.replace(SLOT, task);
    }
  }

  /** Greetings put before a request (shared by every split and both labels). */
  public static final List<String> PREFIXES = List.of("", "Hi! ", "Quick question. ", "Hello. ");

  /** Remarks put after a request (shared by every split and both labels). */
  public static final List<String> SUFFIXES =
      List.of("", " Please be specific.", " Keep it brief.", " Use simple words.", " Thanks!");

  private static final Map<Split, List<Frame>> FRAMES = new EnumMap<>(Split.class);

  static {
    FRAMES.put(
        Split.TRAIN,
        frames(
            Split.TRAIN,
            "How do I {task}?",
            "Explain how to {task}.",
            "Give me step-by-step instructions to {task}.",
            "What is the best way to {task}?",
            "Can you tell me how to {task}?",
            "Write a short guide on how to {task}.",
            "I want to {task}. What should I do?",
            "Describe the steps required to {task}.",
            "Teach me how to {task}.",
            "Walk me through how to {task}.",
            "List the steps to {task}.",
            "What do I need to {task}?",
            "Please explain the easiest way to {task}.",
            "Help me figure out how to {task}.",
            "Outline a plan to {task}.",
            "Tell me the quickest way to {task}.",
            "I'd like to learn how to {task}. Can you help?",
            "Provide detailed instructions to {task}.",
            "Show me how to {task}.",
            "How would someone {task}?",
            "What steps should I follow to {task}?",
            "Could you describe how to {task}?",
            "Give me a checklist to {task}.",
            "What's a good method to {task}?"));
    FRAMES.put(
        Split.VAL,
        frames(
            Split.VAL,
            "I'm trying to {task}. Any advice?",
            "Write instructions for how to {task}.",
            "Is there a simple way to {task}? Explain it.",
            "Break down how to {task} into steps.",
            "Summarize how to {task}.",
            "My goal is to {task}. How should I go about it?",
            "Give me a quick tutorial to {task}.",
            "In a few sentences, explain how to {task}."));
    FRAMES.put(
        Split.TEST,
        frames(
            Split.TEST,
            "Please provide a tutorial on how to {task}.",
            "What are the main steps involved if you want to {task}?",
            "Draft a how-to document explaining how to {task}.",
            "I have never tried to {task} before. Where do I begin?",
            "Could you lay out a procedure to {task}?",
            "Explain to a beginner how they could {task}.",
            "What would a step-by-step plan to {task} look like?",
            "Give me practical directions to {task}."));
  }

  private RequestFrames() {}

  /** The frames reserved for {@code split}. */
  public static List<Frame> of(Split split) {
    return FRAMES.get(split);
  }

  /** Every frame of every split. */
  public static List<Frame> all() {
    List<Frame> all = new ArrayList<>();
    for (Split s : Split.values()) {
      all.addAll(FRAMES.get(s));
    }
    return all;
  }

  /** The request text: prefix, the filled frame, suffix. */
  public static String render(Frame frame, String prefix, String suffix, String task) {
    return prefix + frame.fill(task) + suffix;
  }

  /**
   * The frames that could have produced {@code text} (with any prefix and suffix and any non-empty task);
   * used to audit that splits do not share templates.
   */
  public static List<Frame> matching(String text) {
    List<Frame> out = new ArrayList<>();
    for (Frame f : all()) {
      if (Patterns.BY_FRAME.get(f).matcher(text).matches()) {
        out.add(f);
      }
    }
    return out;
  }

  /** Compiled once: auditing thousands of prompts must not recompile the frame patterns. */
  private static final class Patterns {
    static final java.util.Map<Frame, Pattern> BY_FRAME = new java.util.HashMap<>();

    static {
      for (Frame f : all()) {
        BY_FRAME.put(f, pattern(f));
      }
    }
  }

  private static Pattern pattern(Frame f) {
    String[] parts = f.template().split(Pattern.quote(SLOT), -1);
    StringBuilder re = new StringBuilder("(?:");
    re.append(String.join("|", PREFIXES.stream().map(Pattern::quote).toList()));
    re.append(')').append(Pattern.quote(parts[0])).append(".+").append(Pattern.quote(parts[1]));
    re.append("(?:").append(String.join("|", SUFFIXES.stream().map(Pattern::quote).toList()));
    re.append(')');
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  private static List<Frame> frames(Split split, String... templates) {
    List<Frame> out = new ArrayList<>();
    for (int i = 0; i < templates.length; i++) {
      out.add(new Frame(String.format("%s-%02d", split.wireName(), i + 1), split, templates[i]));
    }
    return List.copyOf(out);
  }
}
