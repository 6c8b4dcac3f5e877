package refusallens.service.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SafetensorsFile;
import refusallens.refusal.FeatureRole;
import refusallens.chat.ChatMessage;
import refusallens.datasets.Label;
import refusallens.service.engine.Classification;
import refusallens.service.engine.FeatureContribution;
import refusallens.service.engine.FeaturesInfo;
import refusallens.service.engine.Generation;
import refusallens.service.engine.InvalidInterventionException;
import refusallens.service.engine.PromptInput;

/** The real engine on the shared gemma2 fixture, against the reference SAE activations of the Python stack. */
class ModelEngineTest {

  static FixtureArtifacts fx;
  static ModelEngine engine;
  static JsonNode reference;

  @BeforeAll
  static void load() throws Exception {
    fx = new FixtureArtifacts();
    engine = ModelEngine.load(fx.model, fx.sae, fx.features, fx.probeFile);
    reference = new ObjectMapper().readTree(Files.readString(fx.root.resolve("reference.json")));
  }

  static PromptInput chat(int i) {
    List<ChatMessage> turns = new ArrayList<>();
    for (JsonNode m : reference.get("chat").get(i).get("messages")) {
      turns.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
    }
    return new PromptInput(turns);
  }

  /** The probe's score of the reference SAE activations at the last token of reference prompt p{p}. */
  static double referenceScore(int p) {
    try (SafetensorsFile ref = SafetensorsFile.open(fx.root.resolve("reference.safetensors"))) {
      INDArray acts = ref.getFloat("p" + p + ".sae_acts"); // [seq, m]
      long last = acts.size(0) - 1;
      double[] x = new double[(int) acts.size(1)];
      for (int j = 0; j < x.length; j++) {
        x[j] = acts.getDouble(last, j);
      }
      return fx.probe.score(x);
    }
  }

  static int[] referenceIds(int p) {
    try (SafetensorsFile ref = SafetensorsFile.open(fx.root.resolve("reference.safetensors"))) {
      return ref.get("p" + p + ".input_ids").toIntVector();
    }
  }

  @Test
  void speaksTheProjectsVocabulary() {
    assertEquals(Label.HARMFUL.wireName(), engine.probe().positiveLabel());
    assertEquals(Label.HARMLESS.wireName(), engine.probe().negativeLabel());
    for (FeaturesInfo.Feature f : engine.features().features()) {
      assertEquals(f.role(), FeatureRole.parse(f.role()).wireName(), "role of " + f + " as features.json names it");
    }
  }

  @Test
  void scoresMatchTheProbeOnReferenceSaeActivations() {
    // reference prompts p0 and p1 are the chat renderings chat[0] and chat[2]
    assertEquals(java.util.Arrays.toString(referenceIds(0)), java.util.Arrays.toString(engine.ids(chat(0))));
    assertEquals(java.util.Arrays.toString(referenceIds(1)), java.util.Arrays.toString(engine.ids(chat(2))));
    List<Classification> got = engine.classify(List.of(engine.tokenize(chat(0)), engine.tokenize(chat(2))), 5);
    assertEquals(referenceScore(0), got.get(0).score(), 1e-3);
    assertEquals(referenceScore(1), got.get(1).score(), 1e-3);
    assertNotEquals(got.get(0).score(), got.get(1).score(), 1e-6);
    assertEquals(referenceIds(0).length, got.get(0).promptTokens());
  }

  @Test
  void batchedScoresEqualOneByOne() {
    List<PromptInput> prompts = List.of(chat(0), chat(1), chat(2), PromptInput.ofUser("Tell me a story about a dog."));
    List<Classification> batch = engine.classify(prompts.stream().map(engine::tokenize).toList(), 10);
    for (int i = 0; i < prompts.size(); i++) {
      Classification alone = engine.classify(List.of(engine.tokenize(prompts.get(i))), 10).get(0);
      assertEquals(alone.score(), batch.get(i).score(), 1e-5, "prompt " + i);
      assertEquals(alone.promptTokens(), batch.get(i).promptTokens());
      for (int k = 0; k < alone.topFeatures().size(); k++) {
        assertEquals(alone.topFeatures().get(k).index(), batch.get(i).topFeatures().get(k).index());
        assertEquals(alone.topFeatures().get(k).activation(), batch.get(i).topFeatures().get(k).activation(), 1e-4);
      }
    }
  }

  @Test
  void contributionsAddUpToTheProbeLogit() {
    Classification c = engine.classify(List.of(engine.tokenize(chat(2))), FixtureArtifacts.D_SAE).get(0);
    assertEquals(FixtureArtifacts.D_SAE, c.topFeatures().size());
    double logit = -0.5; // the probe's bias
    for (FeatureContribution f : c.topFeatures()) {
      assertEquals(FixtureArtifacts.SAE_LAYER, f.layer());
      logit += f.contribution();
    }
    assertEquals(Math.log(c.score() / (1 - c.score())), logit, 1e-6);
    for (int k = 1; k < c.topFeatures().size(); k++) {
      assertTrue(Math.abs(c.topFeatures().get(k - 1).contribution()) >= Math.abs(c.topFeatures().get(k).contribution()));
    }
  }

  static JsonNode spec(String json) throws Exception {
    return new ObjectMapper().readTree(json);
  }

  @Test
  void interventionsAreCheckedAgainstTheSaes() throws Exception {
    InvalidInterventionException layer =
        assertThrows(InvalidInterventionException.class,
            () -> engine.checkIntervention(spec("{\"interventions\": [{\"layer\": 3, \"features\": [1], \"scale\": 0}]}")));
    assertTrue(layer.getMessage().contains("layer 3"), layer.getMessage());
    InvalidInterventionException feature =
        assertThrows(InvalidInterventionException.class,
            () -> engine.checkIntervention(spec("{\"interventions\": [{\"layer\": 2, \"features\": [999], \"scale\": 0}]}")));
    assertTrue(feature.getMessage().contains("999"), feature.getMessage());
    assertThrows(InvalidInterventionException.class, () -> engine.checkIntervention(spec("{\"clamps\": []}")));
  }

  @Test
  void generationRunsWithAndWithoutAClamp() throws Exception {
    JsonNode clamp =
        spec("{\"interventions\": [{\"layer\": 2, \"features\": [62, 202, 233, 248, 114], \"scale\": -3.0}]}");
    engine.checkIntervention(clamp);
    Generation base = engine.generate(engine.tokenize(chat(0)), 8, Optional.empty());
    Generation clamped = engine.generate(engine.tokenize(chat(0)), 8, Optional.of(clamp));
    assertTrue(base.newTokens() >= 1 && base.newTokens() <= 8);
    assertTrue(clamped.newTokens() >= 1 && clamped.newTokens() <= 8);
    assertEquals(referenceIds(0).length, base.promptTokens());
    assertFalse(base.text() == null);
  }
}
