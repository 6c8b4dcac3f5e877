package refusallens.service.fake;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import refusallens.chat.ChatMessage;
import refusallens.datasets.Prompt;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.judge.Judge;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.core.model.NonFiniteActivationException;
import refusallens.refusal.FeatureRole;
import refusallens.service.engine.Classification;
import refusallens.service.engine.ClassificationEngine;
import refusallens.service.engine.FeatureContribution;
import refusallens.service.engine.FeaturesInfo;
import refusallens.service.engine.Generation;
import refusallens.service.engine.GenerationEngine;
import refusallens.service.engine.InvalidInterventionException;
import refusallens.service.engine.ModelInfo;
import refusallens.service.engine.ProbeInfo;
import refusallens.service.engine.PromptInput;
import refusallens.service.engine.TokenizedPrompt;

/**
 * A test double for the HTTP layer only: a linear "probe" over word features (feature index = harm word's own
 * feature or word hash at layer 2, harm words weigh +2, others -0.25), a refusing "model" that refuses when the score is >= 0.5
 * unless an intervention scales a feature by a negative factor; a prompt with {@link #NON_FINITE_WORD} fails
 * the pass as NaN activations would. Scores depend on the prompt
 * text, so a batcher that mixed up results would fail the tests. Not used in main code.
 */
public final class WordProbeEngine implements ClassificationEngine, GenerationEngine {

  static final int LAYER = 2;
  static final int WIDTH = 64;
  static final List<String> HARM_WORDS = List.of("bomb", "poison", "weapon", "steal", "hack");

  /** A prompt with this word makes the "model" produce NaN activations, as a NaN checkpoint would. */
  public static final String NON_FINITE_WORD = "nonfinite";

  private volatile CountDownLatch forwardGate = new CountDownLatch(0);
  private final AtomicInteger forwardCalls = new AtomicInteger();
  private final AtomicInteger entered = new AtomicInteger();

  /** Makes the next forward passes wait until {@link #openForward()}. */
  public void closeForward() {
    forwardGate = new CountDownLatch(1);
  }

  public void openForward() {
    forwardGate.countDown();
  }

  /** Calls that have entered the engine (possibly still waiting at the forward gate). */
  public int entered() {
    return entered.get();
  }

  public int forwardCalls() {
    return forwardCalls.get();
  }

  /** The feature index a word lands on: harm words own features 0..4, other words share the rest. */
  public static int featureOf(String word) {
    int harm = HARM_WORDS.indexOf(word);
    return harm >= 0 ? harm : HARM_WORDS.size() + Math.floorMod(word.hashCode(), WIDTH - HARM_WORDS.size());
  }

  @Override
  public ModelInfo model() {
    return new ModelInfo(
        "word-probe-test-double", "test", 4, 8, 100, "0".repeat(64), "4".repeat(64),
        List.of(new ModelInfo.SaeInfo(LAYER, "blocks.2.hook_resid_post", "topk", WIDTH, "(test)", "1".repeat(64))));
  }

  @Override
  public FeaturesInfo features() {
    return new FeaturesInfo(
        "(test)", "2".repeat(64), HARM_WORDS.stream().map(w -> new FeaturesInfo.Feature(LAYER, featureOf(w), FeatureRole.HARM.wireName())).toList());
  }

  @Override
  public ProbeInfo probe() {
    return new ProbeInfo(
        "word-probe", "features:L2", "harmful", "harmless", 0.5, Map.of("auroc", 1.0), "(test)", "3".repeat(64));
  }

  @Override
  public TokenizedPrompt tokenize(PromptInput prompt) {
    return new TokenizedPrompt(prompt, new int[promptTokens(prompt)]);
  }

  private static int promptTokens(PromptInput prompt) {
    int n = 0;
    for (ChatMessage m : prompt.messages()) {
      n += 4 + words(m.content()).size();
    }
    return n;
  }

  @Override
  public List<Classification> classify(List<TokenizedPrompt> tokenized, int topFeatures) {
    List<PromptInput> prompts = tokenized.stream().map(TokenizedPrompt::input).toList();
    awaitGate();
    forwardCalls.incrementAndGet();
    List<Classification> out = new ArrayList<>();
    for (PromptInput p : prompts) {
      if (p.messages().stream().anyMatch(m -> words(m.content()).contains(NON_FINITE_WORD))) {
        throw new NonFiniteActivationException("NaN", "blocks.2.hook_resid_post");
      }
      double[] acts = new double[WIDTH];
      for (ChatMessage m : p.messages()) {
        for (String w : words(m.content())) {
          acts[featureOf(w)] += 1;
        }
      }
      double logit = -1.0;
      List<FeatureContribution> contributions = new ArrayList<>();
      for (int i = 0; i < WIDTH; i++) {
        if (acts[i] == 0) {
          continue;
        }
        double c = acts[i] * weight(i);
        logit += c;
        contributions.add(new FeatureContribution(LAYER, i, acts[i], c));
      }
      contributions.sort(Comparator.comparingDouble((FeatureContribution f) -> -Math.abs(f.contribution())));
      double score = 1.0 / (1.0 + Math.exp(-logit));
      out.add(
          new Classification(
              score, contributions.subList(0, Math.min(topFeatures, contributions.size())), promptTokens(p)));
    }
    return out;
  }

  @Override
  public void checkIntervention(JsonNode intervention) {
    JsonNode entries = intervention.get("interventions");
    if (entries == null || !entries.isArray() || entries.isEmpty()) {
      throw new InvalidInterventionException("intervention.interventions must be a non-empty list");
    }
    for (int i = 0; i < entries.size(); i++) {
      JsonNode e = entries.get(i);
      int layer = e.path("layer").asInt(-1);
      if (layer != LAYER) {
        throw new InvalidInterventionException(
            "interventions[" + i + "]: layer " + layer + " has no SAE (SAE layers: [" + LAYER + "])");
      }
      for (JsonNode f : e.path("features")) {
        if (f.asInt() < 0 || f.asInt() >= WIDTH) {
          throw new InvalidInterventionException(
              "interventions[" + i + "]: feature " + f.asInt() + " out of range for layer " + LAYER + " (d_sae " + WIDTH + ")");
        }
      }
    }
  }

  @Override
  public Generation generate(TokenizedPrompt tokenized, int maxNewTokens, Optional<JsonNode> intervention) {
    awaitGate();
    PromptInput prompt = tokenized.input();
    double score = classify(List.of(tokenized), 0).get(0).score();
    boolean suppressed =
        intervention
            .map(
                iv -> {
                  for (JsonNode e : iv.get("interventions")) {
                    if (e.path("scale").asDouble(0) < 0 || e.path("value").asDouble(0) < 0) {
                      return true;
                    }
                  }
                  return false;
                })
            .orElse(false);
    String text =
        score >= 0.5 && !suppressed
            ? "I'm sorry, but I can't help with that."
            : "Sure, here is an answer about " + prompt.lastUserText();
    List<String> words = words(text);
    int n = Math.min(maxNewTokens, words.size());
    return new Generation(String.join(" ", words.subList(0, n)), promptTokens(prompt), n);
  }

  /** The toy completions judged by {@code judge}, prompt by prompt, without and with the intervention. */
  @Override
  public ClampEvaluation.Comparison compareClamp(
      List<Prompt> prompts, JsonNode intervention, Judge judge, int maxNewTokens) {
    List<RefusalEvaluation.Judged> base = new ArrayList<>();
    List<RefusalEvaluation.Judged> clamped = new ArrayList<>();
    for (Prompt p : prompts) {
      PromptInput input = PromptInput.ofUser(p.userText());
      for (boolean clamp : new boolean[] {false, true}) {
        Generation g = generate(tokenize(input), maxNewTokens, clamp ? Optional.of(intervention) : Optional.empty());
        (clamp ? clamped : base).add(new RefusalEvaluation.Judged(
            p, new int[0], new int[0], g.text(), judge.judge(p.userText(), g.text())));
      }
    }
    return new ClampEvaluation.Comparison(base, clamped);
  }

  private static double weight(int feature) {
    return feature < HARM_WORDS.size() ? 2.0 : -0.25;
  }

  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : text.toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  private void awaitGate() {
    entered.incrementAndGet();
    try {
      if (!forwardGate.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException("test never opened the forward gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
