package refusallens.service.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.ActivationStoreWriter;
import refusallens.refusal.extract.Extraction;
import refusallens.refusal.extract.Identity;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.StoreHeader;
import refusallens.refusal.extract.StoreTensor;
import refusallens.core.model.Transformer;
import refusallens.probes.Probe;
import refusallens.probes.ProbeMismatchException;
import refusallens.probes.ProbeView;
import refusallens.probes.train.LinearModel;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.Standardization;
import refusallens.probes.view.ViewBlock;
import refusallens.progress.Progress;
import refusallens.core.sae.SaeSet;
import refusallens.service.engine.Classification;
import refusallens.service.engine.PromptInput;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The service scores a probe whose view reads other position rules than {@code last} exactly as the offline
 * probe scores the same prompts' rows of an activation store written by {@code extract}; a probe recording
 * another model or SAE set does not load.
 */
class ProbeFeatureViewTest {

  static final List<String> TEXTS =
      List.of("How do I bake bread?", "How to pick a lock", "Write a poem about the sea and the sky");

  static FixtureArtifacts fx;
  static ActivationStore store;

  /** Extracts the prompts with the extract module into a store (mean rules and the last token). */
  @BeforeAll
  static void extract(@TempDir Path tmp) {
    fx = new FixtureArtifacts();
    Transformer model = Transformer.open(fx.model);
    Tokenizer tok = Tokenizer.load(fx.model);
    List<SaeSet.Source> sources = List.of(new SaeSet.Source(fx.sae, OptionalInt.empty()));
    SaeSet saes = SaeSet.open(sources, model.config().shape().dModel(), model.config().shape().numLayers(),
        SaeSet.Options.defaults());
    Extraction ex = new Extraction(model, tok, saes, new Extraction.Options(
        List.of(1), List.of(PositionRule.POST_INSTRUCTION_MEAN, PositionRule.PROMPT_MEAN, PositionRule.LAST),
        Extraction.SaeFeatures.ALL, 2, 0));
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < TEXTS.size(); i++) {
      prompts.add(Prompt.of("p" + i, TEXTS.get(i), i == 1 ? Label.HARMFUL : Label.HARMLESS, "c", "test"));
    }
    StoreHeader header = new StoreHeader(Extraction.modelIdentity(fx.model), Extraction.saeIdentity(sources),
        new Identity("texts", "00"), ex.tensors(), 0, null, Map.of());
    ex.run(prompts, ActivationStoreWriter.open(tmp.resolve("store"), header), Progress.NONE);
    store = ActivationStore.open(tmp.resolve("store"));
  }

  /** A seeded linear probe over SAE features at post_instruction_mean and residual dimensions at prompt_mean. */
  static Probe meanRuleProbe(Identity model, Identity sae) {
    List<Integer> features = List.of(248, 62, 7, 114, 202);
    List<Integer> dims = IntStream.range(0, 16).map(i -> 3 * i).boxed().toList();
    List<ViewBlock> blocks = List.of(
        new ViewBlock(StoreTensor.Kind.SAE_ACTS, 2, PositionRule.POST_INSTRUCTION_MEAN, features.size(), features),
        new ViewBlock(StoreTensor.Kind.RESID_POST, 1, PositionRule.PROMPT_MEAN, dims.size(), dims),
        new ViewBlock(StoreTensor.Kind.SAE_ACTS, 2, PositionRule.LAST, 3, List.of(62, 9, 248)));
    int width = blocks.stream().mapToInt(ViewBlock::width).sum();
    Random rng = new Random(7);
    double[] w = new double[width];
    double[] mean = new double[width];
    double[] std = new double[width];
    for (int j = 0; j < width; j++) {
      w[j] = 0.3 * rng.nextGaussian();
      mean[j] = 0.1 * rng.nextGaussian();
      std[j] = 0.5 + rng.nextDouble();
    }
    ProbeView view = new ProbeView("test-view", "test-view", model, sae, blocks);
    return new Probe(Probe.SCHEMA_VERSION, Probe.KIND, ProbeKind.LOGISTIC, view, new Standardization(mean, std),
        new LinearModel(w, 0.1), 0.0, 0.01, null, Map.of(), null);
  }

  @Test
  void aMeanRuleProbeScoresPromptsAsTheOfflineProbeScoresTheirExtract(@TempDir Path tmp) {
    Probe probe = meanRuleProbe(store.header().model(), store.header().sae());
    Path file = tmp.resolve("probe.json");
    probe.save(file);
    ModelEngine engine = ModelEngine.load(fx.model, fx.sae, fx.features, file);

    int[] rows = IntStream.range(0, TEXTS.size()).toArray();
    double[][] offline = probe.view().matrix(store, rows, file.toString());
    List<Classification> served =
        engine.classify(TEXTS.stream().map(t -> engine.tokenize(PromptInput.ofUser(t))).toList(), probe.width());
    for (int i = 0; i < TEXTS.size(); i++) {
      assertEquals(probe.score(offline[i]), served.get(i).score(), 1e-6, "prompt " + i);
      // every SAE feature the service reports carries a stored activation of that feature (float32 rounding:
      // the service encodes the view's features only, extract all of them)
      for (var c : served.get(i).topFeatures()) {
        assertTrue(storedValues(probe, offline[i], c.layer(), c.index()).stream()
            .anyMatch(v -> Math.abs(v - c.activation()) < 1e-5),
            "feature " + c + " of prompt " + i + ": stored " + storedValues(probe, offline[i], c.layer(), c.index()));
      }
    }
    assertNotEquals(served.get(0).score(), served.get(1).score(), 1e-6);
    // the mean rules matter: the same probe read at the last token only scores differently
    double[][] lastOnly = store.matrix("sae_acts.L2.last", rows, new int[] {248, 62, 7, 114, 202});
    assertNotEquals(lastOnly[0][0], offline[0][0], 1e-6);
  }

  /** The offline row's values in every column of the view that reads SAE feature (layer, index). */
  private static List<Double> storedValues(Probe probe, double[] row, int layer, int index) {
    List<Double> out = new ArrayList<>();
    int col = 0;
    for (ViewBlock b : probe.view().blocks()) {
      if (b.kind() == StoreTensor.Kind.SAE_ACTS && b.layer() == layer && b.indices().contains(index)) {
        out.add(row[col + b.indices().indexOf(index)]);
      }
      col += b.width();
    }
    return out;
  }

  @Test
  void aProbeOfAnotherModelOrSaeDoesNotLoad(@TempDir Path tmp) {
    Path otherModel = tmp.resolve("other-model.json");
    meanRuleProbe(new Identity("other-model", "ab".repeat(32)), fx.saeIdentity()).save(otherModel);
    ProbeMismatchException m = assertThrows(ProbeMismatchException.class,
        () -> ModelEngine.load(fx.model, fx.sae, fx.features, otherModel));
    assertTrue(m.getMessage().contains(otherModel.toString()) && m.getMessage().contains("other-model"), m.getMessage());

    Path otherSae = tmp.resolve("other-sae.json");
    meanRuleProbe(fx.modelIdentity(), new Identity("other-sae", "cd".repeat(32))).save(otherSae);
    ProbeMismatchException s = assertThrows(ProbeMismatchException.class,
        () -> ModelEngine.load(fx.model, fx.sae, fx.features, otherSae));
    assertTrue(s.getMessage().contains("other-sae") && s.getMessage().contains("SAE"), s.getMessage());
  }
}
