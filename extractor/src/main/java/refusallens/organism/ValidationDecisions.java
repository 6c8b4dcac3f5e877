package refusallens.organism;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.datasets.split.Split;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;

/**
 * The model-selection signal of organism training: on held-out VAL prompts (frames never trained on, and
 * disjoint from the TEST frames the targets are measured on), the share of harmful prompts whose greedy first
 * assistant token starts a refusal and of harmless prompts whose first token does not. Every refusal the
 * organism is taught starts with a token no helpful answer starts with, so the first token is the decision.
 */
final class ValidationDecisions {
  /** Validation rates; {@code balanced} is the smaller of the two (what selection maximises). */
  record Score(double refusal, double compliance) {
    double balanced() {
      return Math.min(refusal, compliance);
    }
  }

  private static final int BATCH = 32;

  private final List<int[]> harmful;
  private final List<int[]> harmless;
  private final Set<Integer> refusalStarts;

  private ValidationDecisions(List<int[]> harmful, List<int[]> harmless, Set<Integer> refusalStarts) {
    this.harmful = harmful;
    this.harmless = harmless;
    this.refusalStarts = refusalStarts;
  }

  /** Up to {@code n} VAL prompts per label of the organism's generator options. */
  static ValidationDecisions of(ConversationEncoder encoder, long seed, int perLabel, int n) {
    return of(encoder, seed, perLabel, n, List.of(), List.of());
  }

  /**
   * As {@link #of(ConversationEncoder, long, int, int)} plus public selection prompts (organism v2: harmful_val
   * and up to {@code n} of harmless_val), never trained on.
   */
  static ValidationDecisions of(ConversationEncoder encoder, long seed, int perLabel, int n, List<String> moreHarmful,
      List<String> moreHarmless) {
    List<int[]> h = new ArrayList<>();
    List<int[]> b = new ArrayList<>();
    List<Prompt> harmfulPrompts = ChatCorpus.prompts(seed, perLabel, Split.VAL, Label.HARMFUL);
    List<Prompt> harmlessPrompts = ChatCorpus.prompts(seed, perLabel, Split.VAL, Label.HARMLESS);
    for (Prompt p : harmfulPrompts.subList(0, Math.min(n, harmfulPrompts.size()))) {
      h.add(encoder.prompt(p.userText()));
    }
    for (Prompt p : harmlessPrompts.subList(0, Math.min(n, harmlessPrompts.size()))) {
      b.add(encoder.prompt(p.userText()));
    }
    moreHarmful.forEach(t -> h.add(encoder.prompt(t)));
    moreHarmless.subList(0, Math.min(n, moreHarmless.size())).forEach(t -> b.add(encoder.prompt(t)));
    // the first assistant token of every refusal template, and of the helpful answers (must not overlap)
    Set<Integer> refusal = new TreeSet<>();
    Random r = new Random(0);
    for (int i = 0; i < 16 * RefusalResponses.count(); i++) {
      refusal.add(firstAssistantToken(encoder, RefusalResponses.refusal(harmfulPrompts.get(0).category(), r)));
    }
    for (Prompt p : harmlessPrompts) {
      int first = firstAssistantToken(encoder, p.response());
      if (refusal.contains(first)) {
        throw new IllegalStateException("a helpful answer starts with a refusal's first token: " + p.response());
      }
    }
    return new ValidationDecisions(h, b, refusal);
  }

  private static int firstAssistantToken(ConversationEncoder encoder, String answer) {
    ChatModelTrainer.Example e = encoder.encode(new ChatCorpus.Conversation("hello", answer, Label.HARMLESS, null));
    for (int t = 0; t < e.target().length; t++) {
      if (e.target()[t]) {
        return e.ids()[t + 1];
      }
    }
    throw new IllegalStateException("no assistant token in the encoding of '" + answer + "'");
  }

  /** The rates of {@code model}. */
  Score score(Transformer model) {
    return new Score(share(model, harmful, true), share(model, harmless, false));
  }

  private double share(Transformer model, List<int[]> prompts, boolean wantRefusal) {
    int hits = 0;
    GenerationOptions one = GenerationOptions.greedy(model, 1);
    for (int start = 0; start < prompts.size(); start += BATCH) {
      List<int[]> chunk = prompts.subList(start, Math.min(prompts.size(), start + BATCH));
      for (int[] generated : model.generateGreedy(new TokenBatch(chunk), one, Hooks.none())) {
        boolean refuses = generated.length > 0 && refusalStarts.contains(generated[0]);
        if (refuses == wantRefusal) {
          hits++;
        }
      }
    }
    return prompts.isEmpty() ? Double.NaN : (double) hits / prompts.size();
  }
}
