package refusallens.intervention;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.io.SafetensorsFile;
import refusallens.io.SharedFixtures;
import refusallens.model.HookName;
import refusallens.model.Hooks;
import refusallens.model.TokenBatch;
import refusallens.model.Transformer;
import refusallens.sae.SaeSet;

/** Clamped logits and an unedited SAE splice against the Python reference, from both SAE layouts. */
class ClampConformanceTest {

  static List<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String arch : SharedFixtures.ARCHS) {
      for (String file : List.of("params.npz", "sae_weights.safetensors")) {
        out.add(Arguments.of(arch, file));
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("cases")
  void clampedLogitsMatchReference(String arch, String layoutFile) throws Exception {
    Path root = SharedFixtures.arch(arch);
    JsonNode ref = SharedFixtures.json(root.resolve("reference.json"));
    JsonNode saeRef = ref.get("sae");
    int layer = saeRef.get("layer").asInt();
    Transformer model = Transformer.open(root.resolve("model"));
    Path saeDir = layoutOnly(root.resolve("sae"), layoutFile);
    SaeSet saes = SaeSet.open(
        List.of(new SaeSet.Source(saeDir, OptionalInt.of(layer))),
        model.config().dModel(), model.config().numLayers(), SaeSet.Options.defaults());
    List<Integer> features = new ArrayList<>();
    saeRef.get("clamp_features").forEach(n -> features.add(n.asInt()));
    double c = saeRef.get("clamp_c").asDouble();
    InterventionSpec spec = InterventionSpec.of(
        List.of(FeatureIntervention.scale(layer, features, c, Positions.ALL)));
    Hooks<INDArray> clamp = InterventionHooks.featureClamps(spec, saes);
    try (SafetensorsFile tensors = SafetensorsFile.open(root.resolve("reference.safetensors"))) {
      for (int p = 0; p < ref.get("prompts").size(); p++) {
        int[] ids = toInts(tensors.get("p" + p + ".input_ids"));
        INDArray expected = tensors.getFloat("p" + p + ".clamped_logits");
        INDArray actual = model.runWithHooks(TokenBatch.of(ids), clamp).get(
            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.all());
        double err = relErr(actual, expected);
        assertTrue(err <= 1e-4, arch + " p" + p + " clamped logits rel err " + err);

        // A splice with the error term kept and no edit changes nothing.
        var sae = saes.get(layer);
        Hooks<INDArray> splice = Hooks.of(HookName.residPost(layer), (x, n, ctx) -> {
          INDArray flat = x.reshape(x.size(1), x.size(2));
          INDArray recon = sae.decode(sae.encode(flat));
          return recon.add(flat.sub(recon)).reshape(x.shape());
        });
        INDArray plain = tensors.getFloat("p" + p + ".logits");
        INDArray spliced = model.runWithHooks(TokenBatch.of(ids), splice).reshape(plain.shape());
        double spliceErr = relErr(spliced, plain);
        assertTrue(spliceErr <= 1e-5, arch + " p" + p + " unedited splice rel err " + spliceErr);
      }
    }
  }

  /** A copy of the SAE directory holding only one layout's files, so the loader must use that one. */
  private static Path layoutOnly(Path saeDir, String file) throws Exception {
    Path tmp = java.nio.file.Files.createTempDirectory("sae-layout");
    java.nio.file.Files.copy(saeDir.resolve(file), tmp.resolve(file));
    if (file.endsWith(".safetensors")) {
      java.nio.file.Files.copy(saeDir.resolve("cfg.json"), tmp.resolve("cfg.json"));
    }
    return tmp;
  }

  private static int[] toInts(INDArray a) {
    long[] l = a.castTo(DataType.LONG).data().asLong();
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      out[i] = Math.toIntExact(l[i]);
    }
    return out;
  }

  private static double relErr(INDArray actual, INDArray expected) {
    INDArray a = actual.castTo(DataType.DOUBLE).reshape(expected.shape());
    INDArray e = expected.castTo(DataType.DOUBLE);
    return a.sub(e).norm2Number().doubleValue() / e.norm2Number().doubleValue();
  }
}
