package refusallens.core.intervention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import refusallens.core.sae.Sae;

/** {@link SaeSplice}: kept error term changes nothing and captures sae_acts / sae_recon; dropped, it does change. */
class SaeSpliceHookTest {

  static double relErr(INDArray a, INDArray b) {
    return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
  }

  @ParameterizedTest
  @CsvSource({"gemma2,PLAIN_JAVA", "gemma2,ND4J", "llama3,PLAIN_JAVA", "llama3,ND4J"})
  void spliceKeepsOrDropsTheErrorTerm(String arch, Transformer.Backend backend) {
    Path root = SharedFixtures.arch(arch);
    Transformer model = Transformer.open(root.resolve("model")).withBackend(backend);
    Sae sae = Sae.load(root.resolve("sae"));
    try (SafetensorsFile ref = SafetensorsFile.open(root.resolve("reference.safetensors"))) {
      for (int p = 0; ref.contains("p" + p + ".input_ids"); p++) {
        long[] l = ref.get("p" + p + ".input_ids").castTo(DataType.LONG).data().asLong();
        int[] ids = java.util.Arrays.stream(l).mapToInt(Math::toIntExact).toArray();
        List<INDArray[]> seen = new ArrayList<>();
        Hooks<INDArray> keep =
            Hooks.of(sae.hook(), SaeSplice.hook(sae, SaeSplice.ErrorTerm.KEEP, (a, r) -> seen.add(new INDArray[] {a, r})));
        INDArray logits = ref.getFloat("p" + p + ".logits");
        INDArray kept = model.runWithHooks(TokenBatch.of(ids), keep).reshape(logits.shape());
        assertTrue(relErr(kept, logits) <= 1e-5, arch + "/" + backend + " p" + p + " kept splice logits");
        assertTrue(seen.size() == 1);
        INDArray acts = seen.get(0)[0].get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray recon = seen.get(0)[1].get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
        assertArrayEquals(ref.info("p" + p + ".sae_acts").shape(), acts.shape());
        assertTrue(relErr(acts, ref.getFloat("p" + p + ".sae_acts")) <= 1e-4);
        assertTrue(relErr(recon, ref.getFloat("p" + p + ".sae_recon")) <= 1e-4);
        INDArray dropped =
            model.runWithHooks(TokenBatch.of(ids), Hooks.of(sae.hook(), SaeSplice.hook(sae, SaeSplice.ErrorTerm.DROP, null)));
        assertTrue(relErr(dropped.reshape(logits.shape()), logits) > 1e-3, "running on the reconstruction changes the logits");
      }
    }
  }
}
