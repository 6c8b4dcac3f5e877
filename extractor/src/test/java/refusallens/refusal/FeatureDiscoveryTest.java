package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.progress.Progress;
import refusallens.core.sae.SaeSet;

/** features find end to end on the fixture (two SAE layers), and the features.json schema and round trip. */
class FeatureDiscoveryTest {

  @Test
  void findsFeaturesAndWritesARoundTrippingFile(@TempDir Path tmp) throws Exception {
    SaeSet saes = RefusalFixture.twoLayerSaes(tmp);
    DiscoveryOptions o = new DiscoveryOptions(3, 4, 2, 4, 7, OptionalInt.empty(), DirectionPositions.LAST,
        DiscoveryOptions.DEFAULT_REFUSAL_OPENERS, 4, -3.0);
    // the fixture is a random model: any answer counts as a refusal, so R holds every first token it emits
    FeatureDiscovery fd = new FeatureDiscovery(RefusalFixture.model(), RefusalFixture.tokenizer(), saes, o, c -> true,
        Progress.NONE);
    FeatureDiscovery.Inputs inputs = new FeatureDiscovery.Inputs(RefusalFixture.modelDir(), List.of(RefusalFixture.saeDir()));
    FeaturesFile f = fd.run(DiscoveryData.builtin(7, 4), inputs);

    // V*_R: a scored layer with a direction of the model's width and the recorded norm
    FeaturesFile.Direction d = f.refusalDirection();
    assertEquals(4, d.selection().candidates().size());
    assertEquals(-1, d.selection().position());
    assertTrue(d.selection().fallback() == (d.selection().reason() != null), "a reason exactly when it fell back");
    // R: the settings list each token with its id, and no attribution prompt's compliance token is in R
    RefusalTokens r = RefusalTokens.of(f, RefusalFixture.tokenizer());
    assertEquals(f.settings().refusalTokens(), r.tokens());
    for (FeaturesFile.PromptFeatures pp : f.perPrompt()) {
      assertTrue(!f.settings().refusalTokens().contains(pp.jbToken()), pp.jbToken() + " is a refusal token");
      assertTrue(f.settings().refusalTokens().contains(pp.refusalToken()), pp.refusalToken());
    }
    assertEquals(64, d.direction().length);
    double norm = 0;
    for (float x : d.direction()) {
      norm += x * x;
    }
    assertEquals(Math.sqrt(norm), d.norm(), 1e-4 * d.norm());

    // F0 = 3 per SAE layer, by cosine; F* = top 4 of F0 by attribution, best first
    assertEquals(6, f.f0().size());
    Set<String> f0 = new HashSet<>();
    f.f0().forEach(x -> f0.add(x.layer() + ":" + x.index()));
    assertEquals(4, f.features().size());
    for (int i = 0; i < f.features().size(); i++) {
      FeaturesFile.Feature x = f.features().get(i);
      assertTrue(f0.contains(x.layer() + ":" + x.index()), "F* is drawn from F0");
      if (i > 0) {
        assertTrue(f.features().get(i - 1).attribution() >= x.attribution());
      }
      assertEquals(x.role(), RoleAssignment.defaults().role(x.evidence()));
    }
    assertEquals(4, f.baselines().cosSim().size());
    assertEquals(4, f.baselines().apOnly().size());
    assertTrue(f.baselines().apOnly().get(0).score() >= f.features().get(0).attribution(), "AP only ranks every feature");
    assertEquals(4, f.baselines().actDiff().size());
    assertEquals(4, f.baselines().random().features().size());
    assertEquals(2, f.layerAttribution().size());
    assertTrue(!f.perPrompt().isEmpty() && f.perPrompt().get(0).features().size() == 4);
    assertTrue(f.effects().fStarClamped() != null && Double.isFinite(f.effects().fStarClamped()));
    assertEquals(64, f.provenance().model().sha256().length());

    // a top token's activation is the SAE's activation at that prompt and position, run alone
    FeaturesFile.Feature top = f.features().get(0);
    FeaturesFile.TopToken tt = top.topTokens().get(0);
    DiscoveryData data = DiscoveryData.builtin(7, 4);
    var prompt = java.util.stream.Stream.of(data.harmfulTrain(), data.harmlessTrain()).flatMap(List::stream)
        .filter(p -> p.id().equals(tt.promptId())).findFirst().orElseThrow();
    int[] ids = TemplateSpan.encode(RefusalFixture.tokenizer(), prompt);
    var resid = RefusalFixture.model().runWithCache(refusallens.core.model.TokenBatch.of(ids),
        Set.of(refusallens.core.model.HookName.residPost(top.layer()))).activation(refusallens.core.model.HookName.residPost(top.layer()));
    var acts = saes.get(top.layer()).encode(resid.reshape(ids.length, 64));
    assertEquals(acts.getDouble(tt.position(), top.index()), tt.activation(), 1e-3 * Math.abs(tt.activation()) + 1e-4);
    assertEquals(RefusalFixture.tokenizer().decode(new int[] {ids[tt.position()]}, false), tt.token());

    // the recorded harmful projection on V*_R and every mean_act_harmful follow their definitions (the eval
    // measures the same quantities for features that features.json does not list)
    List<refusallens.datasets.Prompt> harmfulTrain = DiscoveryData.first(data.harmfulTrain(), 4);
    var meanH = RefusalDirections.meanResid(RefusalFixture.model(),
        EncodedPrompt.ids(EncodedPrompt.encode(RefusalFixture.tokenizer(), harmfulTrain)), DirectionPositions.LAST,
        TemplateSpan.of(RefusalFixture.tokenizer()), 4, Progress.NONE).getRow(d.layer());
    double proj = 0;
    for (int i = 0; i < 64; i++) {
      proj += meanH.getDouble(i) * d.direction()[i] / d.norm();
    }
    assertTrue(d.harmfulProjection() != null, "features.json records the harmful projection");
    assertEquals(proj, d.harmfulProjection(), 1e-4 * Math.abs(proj) + 1e-5);
    var means = FeatureStats.meanActivations(RefusalFixture.model(), RefusalFixture.tokenizer(), saes, harmfulTrain, 4,
        Progress.NONE);
    for (FeaturesFile.Feature x : f.features()) {
      assertEquals(x.meanActHarmful(), means.get(x.layer())[x.index()], 1e-5 * Math.abs(x.meanActHarmful()) + 1e-7);
    }

    // the same seed gives the same random baseline, another seed another one
    assertEquals(f.baselines().random().features(), FeatureDiscovery.randomFeatures(saes, 4, 7));
    assertTrue(!f.baselines().random().features().equals(FeatureDiscovery.randomFeatures(saes, 4, 8)));

    // round trip and the shape other modules read
    Path file = tmp.resolve("out/features.json");
    f.write(file);
    FeaturesFile back = FeaturesFile.read(file);
    assertEquals(f.toJson(), back.toJson());
    JsonNode tree = new ObjectMapper().readTree(file.toFile());
    assertEquals(FeaturesFile.SCHEMA_VERSION, tree.get("schemaVersion").asInt());
    JsonNode first = tree.get("features").get(0);
    assertTrue(first.get("layer").isInt() && first.get("index").isInt());
    assertTrue(Set.of("harm", "refusal").contains(first.get("role").asText()));
    assertTrue(first.has("mean_act_harmful") && first.has("mean_act_harmless") && first.has("top_tokens"));

    String bad = Files.readString(file).replaceFirst("\"schemaVersion\" : " + FeaturesFile.SCHEMA_VERSION, "\"schemaVersion\" : 99");
    Files.writeString(file, bad);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeaturesFile.read(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("schemaVersion 99"), e.getMessage());
  }

  @Test
  void roleRuleSeparatesPostInstructionSharedFeaturesFromContentFeatures() {
    RoleAssignment r = RoleAssignment.defaults();
    // fires at the post-instruction tokens in every category: refusal
    var shared = r.evidence(0.1, 0.3, 2.0, new double[] {1, 3}, java.util.Map.of("a", 2.0, "b", 1.8, "c", 2.2));
    assertEquals(FeatureRole.REFUSAL, r.role(shared));
    assertEquals(1.0, shared.categoryCoverage(), 0);
    // fires on the request's tokens: harm
    assertEquals(FeatureRole.HARM, r.role(r.evidence(2.0, 2.5, 0.3, new double[] {0.3, 0.3}, java.util.Map.of("a", 0.3, "b", 0.3))));
    // low mean over the request but a strong peak on one harmful word, above its post-instruction level: harm
    var peaked = r.evidence(0.2, 3.0, 1.0, new double[] {1, 1}, java.util.Map.of("a", 1.0, "b", 1.0));
    assertEquals(FeatureRole.HARM, r.role(peaked));
    assertEquals(0.25, peaked.postInstructionShare(), 1e-12);
    // post-instruction but in one category only: harm
    var one = r.evidence(0.0, 0.0, 1.0, new double[] {1, 1}, java.util.Map.of("a", 3.0, "b", 0.0, "c", 0.0));
    assertEquals(FeatureRole.HARM, r.role(one));
    assertEquals(1.0 / 3, one.categoryCoverage(), 1e-9);
    // never active: harm (no evidence of a refusal role)
    assertEquals(FeatureRole.HARM, r.role(r.evidence(0, 0, 0, new double[] {0}, java.util.Map.of("a", 0.0))));
  }
}
