package refusallens.datasets.generate;

import java.util.List;
import java.util.Random;

/** Short helpful reference answers for harmless requests, built from a task's three steps. */
public final class ResponseTemplates {
  private ResponseTemplates() {}

  private static final List<String> FRAMES =
      List.of(
          "Sure! To {task}: 1. {S1}. 2. {S2}. 3. {S3}.",
          "Here is how to {task}. First, {s1}. Next, {s2}. Finally, {s3}.",
          "Happy to help. To {task}, {s1}, then {s2}, and finally {s3}.",
          "Of course. To {task}, start by making sure you {s1}. After that, {s2}. Last, {s3}.");

  /** A reference answer for {@code task}, the frame chosen by {@code random}. */
  public static String answer(TopicLexicon.HarmlessTask task, Random random) {
    String f = FRAMES.get(random.nextInt(FRAMES.size()));
    List<String> s = task.steps();
    return f.replace("{task}", task.task())
        .replace("{S1}", capitalise(s.get(0)))
        .replace("{S2}", capitalise(s.get(1)))
        .replace("{S3}", capitalise(s.get(2)))
        .replace("{s1}", s.get(0))
        .replace("{s2}", s.get(1))
        .replace("{s3}", s.get(2));
  }

  /**
   * The words each answer opens with before it restates the task ("Sure", "Here is how to", "Happy to help",
   * "Of course"): the compliance openers a judge of on-topic answers looks for.
   */
  public static List<String> openers() {
    return FRAMES.stream().map(f -> {
      String head = f.substring(0, f.indexOf('{'));
      int cut = head.length();
      for (char c : new char[] {'!', '.'}) {
        int i = head.indexOf(c);
        if (i >= 0) {
          cut = Math.min(cut, i);
        }
      }
      return head.substring(0, cut).strip();
    }).distinct().toList();
  }

  /** Number of answer templates. */
  public static int count() {
    return FRAMES.size();
  }

  static String capitalise(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
