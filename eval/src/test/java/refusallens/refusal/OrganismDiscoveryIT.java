package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.eval.judge.RefusalPhraseJudge;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.progress.Progress;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * features find end to end on the embedded organism (a gemma2 chat model trained to refuse, TopK SAEs on every
 * layer), on a small sample, with the refusal-phrase judge the CLI and the study use: the refusal token set holds
 * what the organism emits first when it refuses (on held-out prompts too), no attribution prompt's compliance
 * token is a refusal token, the selection says whether it fell back, and ablating V*_R and clamping F* both lower
 * the refusal score. Skipped only where the organism's files are not on the classpath (and REFUSAL_LENS_ORGANISM
 * is unset).
 */
class OrganismDiscoveryIT {

  @Test
  void featuresFindOnTheOrganism(@TempDir Path tmp) throws Exception {
    boolean shipped = Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.MANIFEST) != null;
    String env = System.getenv(Organism.ENV_DIR);
    assumeTrue(shipped || (env != null && !env.isBlank()), "the organism is not built into this checkout");
    Path modelDir = Organism.defaultModelDir();
    Transformer model = Transformer.open(modelDir);
    Tokenizer tok = Tokenizer.load(modelDir);
    SaeSet saes = SaeSet.open(List.of(new SaeSet.Source(Organism.defaultSaeDir(), OptionalInt.empty())),
        model.config().shape().dModel(), model.config().shape().numLayers(), SaeSet.Options.defaults());
    DiscoveryOptions o = new DiscoveryOptions(5, 5, 4, 16, 0, OptionalInt.empty(), DirectionPositions.EACH_POST_INSTRUCTION,
        DiscoveryOptions.DEFAULT_REFUSAL_OPENERS, 8, -3.0);
    RefusalPhraseJudge judge = RefusalPhraseJudge.standard();
    DiscoveryData data = DiscoveryData.builtin(0, 16);
    FeaturesFile f = new FeatureDiscovery(model, tok, saes, o, c -> judge.judge("", c).refused(), Progress.NONE)
        .run(data, new FeatureDiscovery.Inputs(modelDir, List.of(Organism.defaultSaeDir())));
    FeaturesFile.Effects e = f.effects();
    FeaturesFile.Direction d = f.refusalDirection();
    System.err.printf("organism: V*_R layer %d position %s (fallback %s: %s); R %s; refusal score %.3f, ablated %.3f,"
            + " F* clamped %.3f; jb tokens %s%n", d.layer(), d.selection().position(), d.selection().fallback(),
        d.selection().reason(), f.settings().refusalTokens(), e.baseline(), e.directionAblated(), e.fStarClamped(),
        f.perPrompt().stream().map(FeaturesFile.PromptFeatures::jbToken).distinct().toList());

    // §1: the compliance side of the AP metric is never a refusal token
    List<String> r = f.settings().refusalTokens();
    assertFalse(f.perPrompt().isEmpty());
    for (FeaturesFile.PromptFeatures p : f.perPrompt()) {
      assertFalse(r.contains(p.jbToken()), p.promptId() + ": jbToken '" + p.jbToken() + "' is in R " + r);
      assertTrue(r.contains(p.refusalToken()), p.promptId() + ": refusalToken '" + p.refusalToken() + "' is not in R " + r);
    }
    // §1: R holds the first token of each judged refusal on held-out harmful prompts
    RefusalTokens refusal = RefusalTokens.of(f, tok);
    List<int[]> heldOut = EncodedPrompt.ids(EncodedPrompt.encode(tok, DiscoveryData.first(data.harmfulVal(), 16)));
    Set<String> emitted = new TreeSet<>();
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < heldOut.size(); i += 8) {
      out.addAll(model.generateGreedy(new TokenBatch(heldOut.subList(i, Math.min(heldOut.size(), i + 8))),
          GenerationOptions.greedy(model, DiscoveryOptions.REFUSAL_JUDGE_TOKENS), Hooks.none()));
    }
    for (int[] c : out) {
      if (c.length > 0 && judge.judge("", tok.decode(c, true)).refused()) {
        emitted.add(tok.decode(new int[] {c[0]}, false));
        assertTrue(refusal.contains(c[0]), "the organism starts a refusal with '" + tok.decode(new int[] {c[0]}, false)
            + "', which is not in R " + r);
      }
    }
    assertFalse(emitted.isEmpty(), "the organism refuses some held-out harmful prompts");

    // §5: the selection's fallback flag is written, with its reason when true
    Path file = tmp.resolve("features.json");
    f.write(file);
    JsonNode sel = new ObjectMapper().readTree(file.toFile()).path("refusalDirection").path("selection");
    assertTrue(sel.path("fallback").isBoolean(), "refusalDirection.selection.fallback is present: " + sel);
    if (sel.path("fallback").asBoolean()) {
      assertTrue(!sel.path("reason").asText("").isBlank(), "a fallback states its reason");
    }
    assertTrue(sel.path("position").isInt(), "the chosen candidate's post-instruction position");

    assertTrue(e.baseline() > 0, "the organism refuses the harmful sample (refusal score " + e.baseline() + ")");
    assertTrue(e.directionAblated() < e.baseline() - 1, "ablating V*_R lowers refusal");
    assertTrue(f.features().get(0).attribution() > 0, "the top feature has a positive attribution");
    assertTrue(e.fStarClamped() < e.baseline(), "clamping F* lowers refusal: " + e.fStarClamped() + " vs " + e.baseline());
  }
}
