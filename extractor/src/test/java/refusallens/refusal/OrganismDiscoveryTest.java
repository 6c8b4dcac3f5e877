package refusallens.refusal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import refusallens.model.Transformer;
import refusallens.organism.Organism;
import refusallens.progress.Progress;
import refusallens.sae.SaeSet;
import refusallens.tokenizer.Tokenizer;

/**
 * features find end to end on the embedded organism (a gemma2 chat model trained to refuse, TopK SAEs on every
 * layer), on a small sample: ablating V*_R and clamping F* both lower the refusal score of the harmful prompts.
 * Skipped only where the organism's files are not on the classpath (and REFUSAL_LENS_ORGANISM is unset).
 */
class OrganismDiscoveryTest {

  @Test
  void featuresFindOnTheOrganismHasPositiveEffects() {
    boolean shipped = Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.MANIFEST) != null;
    String env = System.getenv(Organism.ENV_DIR);
    assumeTrue(shipped || (env != null && !env.isBlank()), "the organism is not built into this checkout");
    Path modelDir = Organism.defaultModelDir();
    Transformer model = Transformer.open(modelDir);
    SaeSet saes = SaeSet.open(List.of(new SaeSet.Source(Organism.defaultSaeDir(), OptionalInt.empty())),
        model.config().dModel(), model.config().numLayers(), SaeSet.Options.defaults());
    DiscoveryOptions o = new DiscoveryOptions(5, 5, 4, 16, 0, OptionalInt.empty(), DirectionPositions.LAST, "I", 8, -3.0);
    FeaturesFile f = new FeatureDiscovery(model, Tokenizer.load(modelDir), saes, o, Progress.NONE)
        .run(DiscoveryData.builtin(0, 16), new FeatureDiscovery.Inputs(modelDir, List.of(Organism.defaultSaeDir())));
    FeaturesFile.Effects e = f.effects();
    System.err.printf("organism: V*_R layer %d; refusal score %.3f, ablated %.3f, F* clamped %.3f; F* %s%n",
        f.refusalDirection().layer(), e.baseline(), e.directionAblated(), e.fStarClamped(),
        f.features().stream().map(x -> "L" + x.layer() + "/" + x.index() + ":" + x.role().wireName()).toList());
    assertTrue(e.baseline() > 0, "the organism refuses the harmful sample (refusal score " + e.baseline() + ")");
    assertTrue(e.directionAblated() < e.baseline() - 1, "ablating V*_R lowers refusal");
    assertTrue(f.features().get(0).attribution() > 0, "the top feature has a positive attribution");
    assertTrue(e.fStarClamped() < e.baseline(), "clamping F* lowers refusal: " + e.fStarClamped() + " vs " + e.baseline());
  }
}
