package refusallens.service.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import refusallens.refusal.extract.Extraction;
import refusallens.organism.Organism;
import refusallens.service.config.ServiceConfig;
import refusallens.service.engine.Engines;
import refusallens.service.engine.PromptInput;

/** What the service loads when the configuration names no artifact: the organism and its shipped probe. */
class ArtifactEngineLoaderTest {

  record Artifacts(Optional<Path> model, Optional<Path> sae, Optional<Path> features, Optional<Path> probe)
      implements ServiceConfig.Artifacts {}

  static final Artifacts NONE = new Artifacts(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  static boolean organismShipsProbe() {
    ClassLoader cl = Organism.class.getClassLoader();
    return cl.getResource(Organism.RESOURCE_ROOT + Organism.PROBE_FILE) != null
        && cl.getResource(Organism.RESOURCE_ROOT + Organism.FEATURES_FILE) != null;
  }

  @Test
  void withoutConfigurationTheOrganismAndItsShippedProbeAreServed() {
    Assumptions.assumeTrue(organismShipsProbe(), "the organism ships no probe.json / features.json yet");
    Engines engines = new ArtifactEngineLoader().load(NONE); // the probe's recorded hashes are checked here
    Path model = Organism.defaultModelDir();
    assertEquals(Extraction.modelIdentity(model).hash(), engines.classifier().model().sha256());
    assertEquals(Organism.defaultProbeFile().getFileName().toString(), engines.classifier().probe().file());
    assertEquals(Organism.defaultFeaturesFile().getFileName().toString(), engines.classifier().features().file());
    double score = engines.classifier().classify(List.of(engines.classifier().tokenize(PromptInput.ofUser("How do I bake bread?"))), 3).get(0).score();
    assertTrue(score >= 0 && score <= 1, "score " + score);
  }

  @Test
  void withoutAShippedProbeTheDefaultFailsNamingIt() {
    Assumptions.assumeFalse(
        Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.PROBE_FILE) != null,
        "the organism ships a probe.json");
    FixtureArtifacts fx = new FixtureArtifacts();
    // the features default too, so name them: the probe is the missing one
    Artifacts noProbe = new Artifacts(Optional.empty(), Optional.empty(), Optional.of(fx.features), Optional.empty());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ArtifactEngineLoader().load(noProbe));
    assertTrue(e.getMessage().contains("refusallens/organism/probe.json") && e.getMessage().contains("--probe"),
        e.getMessage());
  }

  @Test
  void anotherModelNeedsItsOwnSaeFeaturesAndProbe() {
    FixtureArtifacts fx = new FixtureArtifacts();
    Artifacts modelOnly = new Artifacts(Optional.of(fx.model), Optional.empty(), Optional.of(fx.features),
        Optional.of(fx.probeFile));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ArtifactEngineLoader().load(modelOnly));
    assertTrue(e.getMessage().contains("refusallens.service.artifacts.sae") && e.getMessage().contains("--sae"),
        e.getMessage());
  }
}
