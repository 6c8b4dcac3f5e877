package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The organism's shipped features.json and probe.json: resolved beside the model, or a clear error. */
class OrganismShippedFilesTest {

  @Test
  void aMissingShippedFileIsAnErrorNamingTheResourceAndTheFlag(@TempDir Path dir) {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Organism.shippedFile(dir, Organism.RESOURCE_ROOT + "no-such-probe.json", "--probe"));
    assertTrue(e.getMessage().contains("refusallens/organism/no-such-probe.json"), e.getMessage());
    assertTrue(e.getMessage().contains("--probe"), e.getMessage());
  }

  @Test
  void aResourceMissingBesideTheCachedModelNamesTheManifest(@TempDir Path dir) throws Exception {
    // as from a jar whose manifest does not list the file: the cache directory lacks it
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Organism.shippedFile(dir, Organism.RESOURCE_ROOT + "MODEL_CARD.md", "--x"));
    assertTrue(e.getMessage().contains(Organism.MANIFEST) && e.getMessage().contains("--x"), e.getMessage());
    Files.writeString(dir.resolve("MODEL_CARD.md"), "card");
    assertEquals(dir.resolve("MODEL_CARD.md"), Organism.shippedFile(dir, Organism.RESOURCE_ROOT + "MODEL_CARD.md", "--x"));
  }

  @Test
  void theShippedFeaturesAndProbeResolveBesideTheModel() {
    Assumptions.assumeTrue(
        Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.PROBE_FILE) != null
            && Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.FEATURES_FILE) != null,
        "the organism ships no probe.json / features.json yet");
    Path model = Organism.defaultModelDir();
    assertEquals(model.resolve(Organism.FEATURES_FILE), Organism.defaultFeaturesFile());
    assertEquals(model.resolve(Organism.PROBE_FILE), Organism.defaultProbeFile());
    assertTrue(Files.isRegularFile(Organism.defaultProbeFile()));
  }

  @Test
  void withoutAShippedProbeTheDefaultIsAClearError() {
    Assumptions.assumeTrue(
        Organism.class.getClassLoader().getResource(Organism.RESOURCE_ROOT + Organism.PROBE_FILE) == null,
        "the organism ships a probe.json");
    IllegalStateException e = assertThrows(IllegalStateException.class, Organism::defaultProbeFile);
    assertTrue(e.getMessage().contains("probe.json") && e.getMessage().contains("--probe"), e.getMessage());
  }
}
