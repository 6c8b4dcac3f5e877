package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.intervention.Positions;
import refusallens.core.io.SafetensorsFile;

/** {@code run-with-cache --sae --intervention} reproduces the fixtures' sae_acts, sae_recon and clamped_logits. */
class RunWithCacheSaeTest {
  private static final Path FIXTURES = Path.of(System.getProperty("refusallens.shared"), "fixtures");

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void saeTensorsAndClampedLogitsMatchReference(String arch) throws Exception {
    Path root = FIXTURES.resolve(arch);
    JsonNode sae = new ObjectMapper().readTree(root.resolve("reference.json").toFile()).get("sae");
    int layer = sae.get("layer").asInt();
    List<Integer> feats = new ArrayList<>();
    sae.get("clamp_features").forEach(f -> feats.add(f.asInt()));
    Path tmp = Files.createTempDirectory("rwc-sae");
    Path spec = tmp.resolve("clamp.json");
    InterventionSpec.of(List.of(FeatureIntervention.scale(layer, feats, sae.get("clamp_c").asDouble(), Positions.ALL)))
        .write(spec);
    try (SafetensorsFile ref = SafetensorsFile.open(root.resolve("reference.safetensors"))) {
      long[] ids = ref.get("p0.input_ids").castTo(DataType.LONG).data().asLong();
      String idList = String.join(",", java.util.Arrays.stream(ids).mapToObj(Long::toString).toList());
      Path out = tmp.resolve("out.safetensors");
      CliRun r = CliRun.of("run-with-cache", root.resolve("model").toString(), "--ids", idList,
          "--sae", layer + "=" + root.resolve("sae"), "--intervention", spec.toString(),
          "--out", out.toString(), "--json");
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("sae_acts.L" + layer), r.out());
      try (SafetensorsFile got = SafetensorsFile.open(out)) {
        assertTrue(rel(got.getFloat("logits"), ref.getFloat("p0.clamped_logits")) <= 1e-4, "clamped logits");
        assertTrue(rel(got.getFloat("sae_acts.L" + layer), ref.getFloat("p0.sae_acts")) <= 1e-4, "sae_acts");
        assertTrue(rel(got.getFloat("sae_recon.L" + layer), ref.getFloat("p0.sae_recon")) <= 1e-4, "sae_recon");
      }
    }
  }

  /** Issue 19 item 6: a layer folder of {@code --sae DIR} without cfg.json is an error naming it, not skipped. */
  @org.junit.jupiter.api.Test
  void aDirectoryOfSaesWithABrokenLayerFailsNamingIt() throws Exception {
    Path root = FIXTURES.resolve("gemma2");
    int layer = new ObjectMapper().readTree(root.resolve("reference.json").toFile()).get("sae").get("layer").asInt();
    Path saes = Files.createTempDirectory("rwc-saes").resolve("saes");
    Path good = Files.createDirectories(saes.resolve("layer_" + layer));
    Path broken = Files.createDirectories(saes.resolve("layer_" + (layer + 1)));
    for (String f : List.of("cfg.json", "sae_weights.safetensors")) {
      Files.copy(root.resolve("sae").resolve(f), good.resolve(f));
    }
    Files.copy(root.resolve("sae/sae_weights.safetensors"), broken.resolve("sae_weights.safetensors"));
    CliRun r = CliRun.of("run-with-cache", root.resolve("model").toString(), "--ids", "2,10,20",
        "--sae", saes.toString(), "--out", saes.resolveSibling("out.safetensors").toString(), "--json");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("error: " + broken + ": incomplete SAE directory")
        && r.err().contains("no cfg.json"), r.err());
    assertTrue(!Files.exists(saes.resolveSibling("out.safetensors")), "no output written");
  }

  private static double rel(INDArray a, INDArray e) {
    INDArray x = a.castTo(DataType.DOUBLE).reshape(e.shape());
    INDArray y = e.castTo(DataType.DOUBLE);
    return x.sub(y).norm2Number().doubleValue() / y.norm2Number().doubleValue();
  }
}
