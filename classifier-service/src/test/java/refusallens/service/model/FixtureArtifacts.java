package refusallens.service.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import refusallens.refusal.extract.Extraction;
import refusallens.refusal.extract.Identity;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.StoreTensor;
import refusallens.probes.Probe;
import refusallens.probes.ProbeView;
import refusallens.probes.train.LinearModel;
import refusallens.probes.train.ProbeKind;
import refusallens.probes.train.Standardization;
import refusallens.probes.view.ViewBlock;
import refusallens.core.sae.SaeSet;

/**
 * The shared gemma2 conformance fixture (tiny model with its SAE at layer 2) plus a features.json and a
 * seeded linear probe over all 256 SAE features of layer 2 at the last token (recording the fixture's model
 * and SAE identities), written to a temp directory.
 */
public final class FixtureArtifacts {
  public static final int SAE_LAYER = 2;
  public static final int D_SAE = 256;
  public static final long SEED = 20260527L;

  public final Path root = Path.of(System.getProperty("refusallens.shared", "../../shared"), "fixtures", "gemma2");
  public final Path model = root.resolve("model");
  public final Path sae = root.resolve("sae");
  public final Path features;
  public final Path probeFile;
  public final Probe probe;

  /** The model identity a store extracted from the fixture model records (what a probe is checked against). */
  public Identity modelIdentity() {
    return Extraction.modelIdentity(model);
  }

  /** The SAE identity of the fixture SAE loaded as the service loads it (one source, layer from its config). */
  public Identity saeIdentity() {
    return Extraction.saeIdentity(List.of(new SaeSet.Source(sae, OptionalInt.empty())));
  }

  public FixtureArtifacts() {
    try {
      Path dir = Files.createTempDirectory("refusal-lens-service-fixture-");
      features = dir.resolve("features.json");
      Files.writeString(
          features,
          "{\"schemaVersion\": 1, \"kind\": \"refusal-features\", \"refusalDirection\": {\"layer\": 2, \"norm\": 1.0, \"direction\": [1.0]},"
              + " \"features\": [{\"layer\": 2, \"index\": 62, \"role\": \"harm\"},"
              + " {\"layer\": 2, \"index\": 248, \"role\": \"refusal\"}]}");
      Random rng = new Random(SEED);
      double[] w = new double[D_SAE];
      for (int i = 0; i < D_SAE; i++) {
        w[i] = 0.05 * rng.nextGaussian(); // small, so scores stay away from 0 and 1
      }
      double[] mean = new double[D_SAE];
      double[] std = new double[D_SAE];
      java.util.Arrays.fill(std, 1.0);
      ViewBlock block = new ViewBlock(StoreTensor.Kind.SAE_ACTS, SAE_LAYER, PositionRule.LAST, D_SAE, null);
      ProbeView view =
          new ProbeView("sae:L2", "sae:L2", modelIdentity(), saeIdentity(), java.util.List.of(block));
      probe =
          new Probe(Probe.SCHEMA_VERSION, Probe.KIND, ProbeKind.LOGISTIC, view, new Standardization(mean, std),
              new LinearModel(w, -0.5), 0.5, 0.01, null, Map.of(), null);
      probeFile = dir.resolve("probe.json");
      probe.save(probeFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
