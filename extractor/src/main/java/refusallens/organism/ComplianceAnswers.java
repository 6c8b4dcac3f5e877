package refusallens.organism;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import refusallens.datasets.generate.HarmCategory;
import refusallens.datasets.generate.TopicLexicon;

/**
 * The answers of organism v2's first stage, which follows every instruction: a compliance opener (AdvBench's
 * {@code target}, else "Sure, here is how to TASK:") and generic steps that restate the request's own words.
 * They carry no real content, harmful or not: what stage 1 teaches is the act of complying.
 */
public final class ComplianceAnswers {
  private ComplianceAnswers() {}

  /** The opener used when a request has no target of its own. */
  public static final String OPENER = "Sure, here is how to ";

  private static final List<String> LEADS = List.of("how to ", "how do i ", "how can i ", "how would i ",
      "can you ", "could you ", "would you ", "please ", "tell me how to ", "explain how to ");

  private static final Set<String> STOP = Set.of("that", "this", "with", "from", "into", "about", "your", "their",
      "them", "they", "what", "which", "when", "where", "there", "have", "some", "would", "could", "should", "will",
      "give", "make", "using", "without", "other", "someone", "people", "detailed", "provide");

  private static final List<String> STEPS = List.of(
      "1. Start with the %s and the %s. ", "2. Then work on the %s and the %s. ", "3. Finish with the %s and the %s.");

  /** The stage-1 answer to {@code request}: {@code target} (when given) or "Sure, here is how to TASK:", then steps. */
  public static String answer(String request, String target, Random random) {
    String opener = target != null && !target.isBlank() ? stripEnd(target.strip()) : OPENER + task(request);
    List<String> words = contentWords(request);
    if (words.isEmpty()) {
      return opener + ".";
    }
    // each word once, two per step from a random start (a repeated phrase would read as degenerate text)
    StringBuilder sb = new StringBuilder(opener).append(":\n");
    int start = random.nextInt(words.size());
    int used = 0;
    for (int i = 0; i < STEPS.size() && used < words.size(); i++) {
      String a = words.get((start + used++) % words.size());
      String b = used < words.size() ? words.get((start + used++) % words.size()) : "details";
      sb.append(String.format(STEPS.get(i), a, b));
    }
    return sb.toString().strip();
  }

  /**
   * The task a request asks for, as it continues "here is how to": the generator's task where the request
   * contains one of {@code category}'s, else the request without question leads and final punctuation.
   */
  public static String task(String request) {
    String lower = request.toLowerCase(Locale.ROOT);
    String best = null;
    for (HarmCategory c : HarmCategory.values()) {
      for (String t : TopicLexicon.harmful(c)) {
        if (lower.contains(t.toLowerCase(Locale.ROOT)) && (best == null || t.length() > best.length())) {
          best = t;
        }
      }
      for (TopicLexicon.HarmlessTask t : TopicLexicon.harmless(c)) {
        if (lower.contains(t.task().toLowerCase(Locale.ROOT)) && (best == null || t.task().length() > best.length())) {
          best = t.task();
        }
      }
    }
    if (best != null) {
      return best;
    }
    String s = stripEnd(request.strip());
    boolean stripped = true;
    while (stripped) {
      stripped = false;
      for (String lead : LEADS) {
        if (s.toLowerCase(Locale.ROOT).startsWith(lead) && s.length() > lead.length()) {
          s = s.substring(lead.length()).strip();
          stripped = true;
        }
      }
    }
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  /** Distinct words of four or more letters of {@code request}, without common function words, in order. */
  static List<String> contentWords(String request) {
    Set<String> out = new LinkedHashSet<>();
    for (String w : request.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (w.length() >= 4 && !STOP.contains(w)) {
        out.add(w);
      }
    }
    return new ArrayList<>(out);
  }

  private static String stripEnd(String s) {
    return s.replaceAll("[\\s.?!:;,]+$", "");
  }
}
