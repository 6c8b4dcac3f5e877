package refusallens.core.intervention;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.sae.Sae;

/** An SAE spliced in with its error term kept and no edit reproduces the reference logits (1e-5). */
class SaeSpliceTest {

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void uneditedSpliceChangesNothing(String arch) {
    Path root = SharedFixtures.arch(arch);
    Transformer model = Transformer.open(root.resolve("model"));
    Sae sae = Sae.load(root.resolve("sae"));
    Hooks<INDArray> splice = Hooks.of(HookName.residPost(sae.layer()), (x, n, ctx) -> {
      INDArray flat = x.reshape(x.size(0) * x.size(1), x.size(2));
      INDArray recon = sae.decode(sae.encode(flat));
      return recon.add(flat.sub(recon)).reshape(x.shape()); // decode(encode(x)) + error term
    });
    try (SafetensorsFile tensors = SafetensorsFile.open(root.resolve("reference.safetensors"))) {
      int prompts = SharedFixtures.json(root.resolve("reference.json")).get("prompts").size();
      for (int p = 0; p < prompts; p++) {
        long[] l = tensors.get("p" + p + ".input_ids").castTo(DataType.LONG).data().asLong();
        int[] ids = java.util.Arrays.stream(l).mapToInt(Math::toIntExact).toArray();
        INDArray expected = tensors.getFloat("p" + p + ".logits").castTo(DataType.DOUBLE);
        INDArray actual = model.runWithHooks(TokenBatch.of(ids), splice)
            .castTo(DataType.DOUBLE).reshape(expected.shape());
        double err = actual.sub(expected).norm2Number().doubleValue() / expected.norm2Number().doubleValue();
        assertTrue(err <= 1e-5, arch + " p" + p + " spliced logits rel err " + err);
      }
    }
  }
}
