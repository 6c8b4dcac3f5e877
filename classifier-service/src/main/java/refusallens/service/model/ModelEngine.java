package refusallens.service.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.judge.Judge;
import refusallens.eval.organism.RefusalEvaluation;
import refusallens.refusal.extract.Extraction;
import refusallens.refusal.extract.Identity;
import refusallens.core.intervention.InterventionHooks;
import refusallens.core.intervention.InterventionSpec;
import refusallens.lens.Lens;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.probes.Probe;
import refusallens.probes.train.LinearModel;
import refusallens.probes.train.ProbeModel;
import refusallens.core.io.ContentHash;
import refusallens.refusal.FeaturesFile;
import refusallens.core.sae.SaeSet;
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
import refusallens.core.tokenizer.ChatTemplateException;
import refusallens.core.tokenizer.Tokenizer;
import refusallens.chat.ChatMessage;
import refusallens.service.engine.InvalidConversationException;
import org.jboss.logging.Logger;

/**
 * The real engine: the runtime's {@link Transformer}, the model's tokenizer and chat template, the SAE set,
 * features.json and a trained {@link Probe}. Scoring runs one forward pass per batch that stops at the
 * deepest layer the probe reads; generation is the runtime's greedy decoding with the intervention's hooks
 * ({@link InterventionHooks}) active while the model writes.
 */
public final class ModelEngine implements ClassificationEngine, GenerationEngine {

  private static final Logger LOG = Logger.getLogger(ModelEngine.class);

  /** Labels of the probe's two classes: it scores P(harmful). */
  static final String POSITIVE = Label.HARMFUL.wireName();

  static final String NEGATIVE = Label.HARMLESS.wireName();

  private final Transformer model;
  private final Tokenizer tokenizer;
  private final SaeSet saes;
  private final Probe probe;
  private final ProbeInput input;
  private final ModelInfo modelInfo;
  private final FeaturesInfo featuresInfo;
  private final ProbeInfo probeInfo;

  /**
   * Loads and cross-checks the four artifacts; errors name the file and what is wrong. A probe trained on
   * another model or SAE set (its recorded hashes differ) is a {@link refusallens.probes.ProbeMismatchException}.
   */
  public static ModelEngine load(Path modelDir, Path saeDir, Path featuresFile, Path probeFile) {
    Probe probe = Probe.load(probeFile);
    List<SaeSet.Source> saeSources = List.of(new SaeSet.Source(saeDir, OptionalInt.empty()));
    Identity modelId = Extraction.modelIdentity(modelDir);
    Identity saeId = Extraction.saeIdentity(saeSources);
    probe.view().checkCompatible(modelId, saeId, "probe " + probeFile + " against model " + modelDir + " and SAE " + saeDir);
    Lens lens = Lens.open(modelDir);
    Transformer model = lens.model();
    Tokenizer tokenizer = lens.tokenizer();
    if (!tokenizer.hasChatTemplate()) {
      throw new IllegalArgumentException(modelDir + ": the tokenizer has no chat template (a chat model is needed)");
    }
    SaeSet saes = lens.withSaeSources(saeSources).saes();
    FeaturesFile features = FeaturesFile.read(featuresFile);
    for (FeaturesFile.Feature f : features.features()) {
      if (!saes.contains(f.layer()) || f.index() >= saes.config(f.layer()).dSae()) {
        throw new IllegalArgumentException(
            featuresFile + ": feature (" + f.layer() + ", " + f.index() + ") is not in the SAE set (SAE layers "
                + saes.layers() + ")");
      }
    }
    ProbeInput input = new ProbeInput(probe, saes, tokenizer, model.config().shape().dModel(),
        model.config().shape().numLayers(), probeFile.toString());

    List<ModelInfo.SaeInfo> saeInfos = new ArrayList<>();
    saes.configs().forEach(
        (layer, c) ->
            saeInfos.add(
                new ModelInfo.SaeInfo(
                    layer, c.hookName(), c.architecture().name().toLowerCase(java.util.Locale.ROOT), c.dSae(), name(c.source()),
                    ContentHash.ofDirectory(c.source()))));
    ModelInfo modelInfo =
        new ModelInfo(
            name(modelDir),
            model.config().architecture().modelType(),
            model.config().shape().numLayers(),
            model.config().shape().dModel(),
            model.config().shape().vocabSize(),
            modelId.hash(),
            saeId.hash(),
            saeInfos);
    FeaturesInfo featuresInfo =
        new FeaturesInfo(
            name(featuresFile),
            ContentHash.ofFiles(List.of(featuresFile)),
            features.features().stream()
                .map(f -> new FeaturesInfo.Feature(f.layer(), f.index(), f.role().wireName()))
                .toList());
    String probeHash = ContentHash.ofFiles(List.of(probeFile));
    Map<String, Double> metrics = new LinkedHashMap<>();
    probe.metrics().forEach(
        (set, m) -> {
          metrics.put(set + ".auroc", m.auroc());
          metrics.put(set + ".accuracy", m.accuracy());
          metrics.put(set + ".tpr_at_1fpr", m.tprAt1Fpr());
        });
    ProbeInfo probeInfo =
        new ProbeInfo(
            probe.view().spec() + "@" + probeHash.substring(0, 12),
            probe.view().resolved() == null ? probe.view().spec() : probe.view().resolved(),
            POSITIVE,
            NEGATIVE,
            // probe.json keeps its threshold on the logit scale; the API speaks probabilities
            probe.thresholdProbability(),
            metrics,
            name(probeFile),
            probeHash);
    return new ModelEngine(model, tokenizer, saes, probe, input, modelInfo, featuresInfo, probeInfo);
  }

  /** A file's or directory's own name: what the info endpoints show instead of its path. */
  static String name(Path p) {
    Path n = p.toAbsolutePath().normalize().getFileName();
    return n == null ? "/" : n.toString();
  }

  private ModelEngine(
      Transformer model, Tokenizer tokenizer, SaeSet saes, Probe probe, ProbeInput input,
      ModelInfo modelInfo, FeaturesInfo featuresInfo, ProbeInfo probeInfo) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.saes = saes;
    this.probe = probe;
    this.input = input;
    this.modelInfo = modelInfo;
    this.featuresInfo = featuresInfo;
    this.probeInfo = probeInfo;
  }

  @Override
  public ModelInfo model() {
    return modelInfo;
  }

  @Override
  public FeaturesInfo features() {
    return featuresInfo;
  }

  @Override
  public ProbeInfo probe() {
    return probeInfo;
  }

  /** Chat tokens with the generation prompt: what the probe and the model read. */
  int[] ids(PromptInput prompt) {
    return tokenizer.encodeChat(prompt.messages(), true);
  }

  /**
   * Renders and tokenizes; a conversation the chat template refuses (Gemma's raises for a system turn and for
   * turns that do not alternate user/assistant, as HF's does: we do not fold a system turn into the first user
   * turn, which would score a prompt the model never sees in that form) is an {@link
   * InvalidConversationException} naming the first turn it rejects.
   */
  @Override
  public TokenizedPrompt tokenize(PromptInput prompt) {
    try {
      return new TokenizedPrompt(prompt, ids(prompt));
    } catch (ChatTemplateException e) {
      throw rejectedTurn(prompt.messages(), e);
    }
  }

  /** The first turn whose prefix the template refuses (prefixes are rendered only on this failure path). */
  private InvalidConversationException rejectedTurn(List<ChatMessage> turns, ChatTemplateException failure) {
    ChatTemplateException first = failure;
    int turn = turns.size() - 1;
    for (int k = 1; k < turns.size(); k++) {
      try {
        tokenizer.encodeChat(turns.subList(0, k), true);
      } catch (ChatTemplateException e) {
        first = e;
        turn = k - 1;
        break;
      }
    }
    if (first.templateMessage() == null) {
      LOG.warn("chat template failed", first);
    }
    return new InvalidConversationException(turn,
        first.templateMessage() != null ? first.templateMessage() : "the template failed to render it (see the service log)");
  }

  @Override
  public List<Classification> classify(List<TokenizedPrompt> prompts, int topFeatures) {
    List<int[]> rows = prompts.stream().map(TokenizedPrompt::ids).toList();
    ForwardResult out = model.forward(new TokenBatch(rows), input.request());
    double[][] x = input.rows(rows, out);
    List<Classification> result = new ArrayList<>(rows.size());
    for (int b = 0; b < rows.size(); b++) {
      double score = probe.score(x[b]);
      result.add(new Classification(score, contributions(x[b], score, topFeatures), rows.get(b).length));
    }
    return result;
  }

  /**
   * Each SAE feature column's share of the probe's logit: for a linear probe weight times standardised
   * activation; otherwise the logit change when the feature is set to its training mean (the same quantity
   * for a linear probe). Largest absolute share first.
   */
  private List<FeatureContribution> contributions(double[] x, double score, int top) {
    if (top == 0) {
      return List.of();
    }
    double[] z = probe.standardization().apply(x);
    ProbeModel m = probe.model();
    double baseLogit = logit(score);
    List<FeatureContribution> out = new ArrayList<>();
    for (ProbeInput.FeatureColumn c : input.featureColumns()) {
      int j = c.column();
      double share;
      if (m instanceof LinearModel lm) {
        share = lm.weights()[j] * z[j];
      } else {
        double[] occluded = x.clone();
        occluded[j] = probe.standardization().mean()[j];
        share = baseLogit - logit(probe.score(occluded));
      }
      out.add(new FeatureContribution(c.layer(), c.index(), x[j], share));
    }
    out.sort(Comparator.comparingDouble((FeatureContribution f) -> -Math.abs(f.contribution())));
    return List.copyOf(out.subList(0, Math.min(top, out.size())));
  }

  private static double logit(double p) {
    double q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
    return Math.log(q / (1 - q));
  }

  @Override
  public void checkIntervention(JsonNode intervention) {
    parse(intervention);
  }

  private InterventionSpec parse(JsonNode intervention) {
    try {
      InterventionSpec spec = InterventionSpec.parse(intervention.toString(), "intervention");
      spec.validateAgainst(saes);
      return spec;
    } catch (IllegalArgumentException e) {
      throw new InvalidInterventionException(e.getMessage());
    }
  }

  @Override
  public ClampEvaluation.Comparison compareClamp(
      List<Prompt> prompts, JsonNode intervention, Judge judge, int maxNewTokens) {
    RefusalEvaluation generator = new RefusalEvaluation(model, tokenizer, judge, maxNewTokens, prompts.size());
    return ClampEvaluation.compare(generator, prompts, InterventionHooks.of(parse(intervention), saes));
  }

  @Override
  public Generation generate(TokenizedPrompt prompt, int maxNewTokens, Optional<JsonNode> intervention) {
    int[] ids = prompt.ids();
    Hooks<INDArray> hooks = intervention.map(j -> InterventionHooks.of(parse(j), saes)).orElse(Hooks.none());
    int[] generated =
        model.generateGreedy(TokenBatch.of(ids), GenerationOptions.greedy(model, maxNewTokens), hooks).get(0);
    return new Generation(tokenizer.decode(generated, true), ids.length, generated.length);
  }
}
