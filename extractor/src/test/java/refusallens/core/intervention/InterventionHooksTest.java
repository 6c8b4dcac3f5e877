package refusallens.core.intervention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.sae.SaeLayout;
import refusallens.core.sae.SaeSet;

/**
 * End to end through the runtime's hooks: clamping {@code sae.clamp_features} by {@code clamp_c} at every
 * position reproduces {@code clamped_logits}, with the SAE from params.npz and from the SAELens copy.
 */
class InterventionHooksTest {

  static int[] ids(INDArray a) {
    long[] l = a.castTo(DataType.LONG).data().asLong();
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      out[i] = Math.toIntExact(l[i]);
    }
    return out;
  }

  static double relErr(INDArray a, INDArray b) {
    return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
  }

  @ParameterizedTest
  @CsvSource({"gemma2,PLAIN_JAVA", "gemma2,ND4J", "llama3,PLAIN_JAVA", "llama3,ND4J"})
  void clampHooksReproduceClampedLogits(String arch, Transformer.Backend backend) {
    Path dir = SharedFixtures.arch(arch);
    JsonNode sae = SharedFixtures.json(dir.resolve("reference.json")).get("sae");
    int layer = sae.get("layer").asInt();
    List<Integer> feats = new ArrayList<>();
    sae.get("clamp_features").forEach(f -> feats.add(f.asInt()));
    InterventionSpec spec =
        InterventionSpec.of(List.of(FeatureIntervention.scale(layer, feats, sae.get("clamp_c").asDouble(), Positions.ALL)));
    // on each backend: the plain-Java pass runs the clamp's own plain-Java implementation (no ND4J copy)
    Transformer model = Transformer.open(dir.resolve("model")).withBackend(backend);
    int d = model.config().shape().dModel();
    int n = model.config().shape().numLayers();
    try (SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
      List<int[]> prompts = new ArrayList<>();
      for (int p = 0; ref.contains("p" + p + ".input_ids"); p++) {
        prompts.add(ids(ref.get("p" + p + ".input_ids")));
      }
      // Through SaeSet (SAELens copy, the preferred layout) and with the params.npz SAE directly.
      SaeSet set = SaeSet.open(List.of(SaeSet.Source.parse(dir.resolve("sae").toString())), d, n, SaeSet.Options.defaults());
      Hooks<INDArray> viaSet = InterventionHooks.of(spec, set);
      var npzSae = refusallens.core.sae.Sae.load(dir.resolve("sae"), SaeLayout.GEMMA_SCOPE, OptionalInt.of(layer));
      Hooks<INDArray> viaNpz = Hooks.of(npzSae.hook(), InterventionHooks.clampAt(npzSae, spec.atLayer(layer)));
      for (Hooks<INDArray> hooks : List.of(viaSet, viaNpz)) {
        for (int p = 0; p < prompts.size(); p++) {
          INDArray logits = model.runWithHooks(TokenBatch.of(prompts.get(p)), hooks); // [1, S, vocab]
          INDArray got = logits.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
          double e = relErr(got, ref.getFloat("p" + p + ".clamped_logits"));
          assertTrue(e <= 1e-4, arch + "/" + backend + " p" + p + " clamped_logits rel err " + e);
          assertTrue(relErr(got, ref.getFloat("p" + p + ".logits")) > 1e-3, "the clamp changes the logits");
        }
        // Left-padded batch: every row as if alone, padding untouched.
        INDArray batch = model.runWithHooks(new TokenBatch(prompts), hooks);
        int max = (int) batch.size(1);
        for (int p = 0; p < prompts.size(); p++) {
          int len = prompts.get(p).length;
          INDArray row = batch.get(NDArrayIndex.point(p), NDArrayIndex.interval(max - len, max), NDArrayIndex.all());
          double e = relErr(row, ref.getFloat("p" + p + ".clamped_logits"));
          assertTrue(e <= 1e-4, arch + "/" + backend + " batched p" + p + " clamped_logits rel err " + e);
        }
      }
      assertEquals(List.of(layer), set.residentLayers());
    }
  }
}
