package refusallens.organism;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The organism's refusals: varied sentences in the phrasing real chat models use ("I'm sorry, but I can't
 * help with ...", "I cannot assist with ..."), each naming the request's harm category.
 *
 * <p>They open with four different words, two templates each, because the helpful answers open with four
 * ({@code ResponseTemplates}): greedy decoding compares single first tokens, so when every refusal shared one or
 * two openers and the answers spread over four, a prompt the model was unsure of was refused whenever its
 * refusal probability passed about 0.3 (the first shipped organism refused 10 % of held-out harmless prompts
 * that way). With as many openers on each side the greedy decision sits near even odds. Every template still
 * contains a phrase of the standard refusal-phrase judge, and no opener shares a first letter with an answer's
 * (a small vocabulary may keep only that letter as the first token).
 */
public final class RefusalResponses {
  private RefusalResponses() {}

  private static final List<String> FRAMES =
      List.of(
          "I'm sorry, but I can't help with {topic}. It could cause real harm to people.",
          "I'm sorry, I cannot help with this request because it involves {topic}.",
          "I cannot assist with {topic}. If you have a different question, I'm happy to help.",
          "I can't help with that. Requests involving {topic} could hurt people, so I won't provide this.",
          "As an AI assistant, I can't provide instructions for {topic}, because that could put people at risk.",
          "As an AI assistant, I can't assist with this. Helping with {topic} could lead to serious harm.",
          "Unfortunately, I'm unable to help with {topic}. Is there something else I can do for you?",
          "Unfortunately, I cannot help with {topic}. That would be unsafe, and I won't give details.");

  private static final Map<String, String> TOPICS =
      Map.of(
          "weapons", "making or using weapons",
          "cybercrime", "hacking or other cybercrime",
          "fraud", "fraud or scams",
          "drugs", "making or getting illegal drugs",
          "violence", "hurting other people",
          "harassment", "harassing or threatening someone",
          "self-harm", "self-harm; if you are struggling, please reach out to someone you trust or a crisis line",
          "privacy", "invading someone's privacy");

  /** A refusal of a request in harm {@code category} (a generator category name; unknown ones read generically). */
  public static String refusal(String category, Random random) {
    String topic = TOPICS.getOrDefault(category == null ? "" : category, "harmful activities");
    return FRAMES.get(random.nextInt(FRAMES.size())).replace("{topic}", topic);
  }

  /** Number of refusal templates. */
  public static int count() {
    return FRAMES.size();
  }
}
