package refusallens.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.model.weights.WeightStore;

/** Logits and resid_post of every fixture prompt match the Python reference stack. */
class ForwardConformanceTest {

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void logitsAndResidPostMatchReference(String arch) {
    Fixture f = Fixture.of(arch);
    int layers = f.model.config().shape().numLayers();
    Set<HookName> all = new LinkedHashSet<>();
    for (int l = 0; l < layers; l++) {
      all.add(HookName.residPost(l));
    }
    for (int p = 0; p < f.promptCount(); p++) {
      int[] ids = f.inputIds(p);
      ForwardResult r = f.model.runWithCache(TokenBatch.of(ids), all);
      INDArray logits = r.logits().reshape(ids.length, f.model.config().shape().vocabSize());
      INDArray expectedLogits = f.ref(p, "logits");
      assertArrayEquals(expectedLogits.shape(), logits.shape());
      double errLogits = Fixture.relFrobenius(logits, expectedLogits);
      INDArray[] perLayer = new INDArray[layers];
      for (int l = 0; l < layers; l++) {
        perLayer[l] = r.activation(HookName.residPost(l));
      }
      INDArray resid = Nd4j.concat(0, perLayer); // [layers, S, d]
      double errResid = Fixture.relFrobenius(resid, f.ref(p, "resid_post"));
      System.err.printf("%s p%d logits %.2e resid_post %.2e%n", arch, p, errLogits, errResid);
      assertTrue(errLogits <= 1e-4, arch + " p" + p + " logits rel err " + errLogits);
      assertTrue(errResid <= 1e-4, arch + " p" + p + " resid_post rel err " + errResid);
    }
  }

  /** Weights kept as mapped bf16 and widened at each use give the same logits as resident float32 ones. */
  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void streamedWeightsGiveTheSameLogits(String arch) {
    Fixture f = Fixture.of(arch);
    Transformer streamed = Transformer.open(Fixture.modelDir(arch), WeightStore.Residency.STREAMED);
    int[] ids = f.inputIds(1);
    INDArray a = streamed.runWithHooks(TokenBatch.of(ids), Hooks.none());
    INDArray b = f.model.runWithHooks(TokenBatch.of(ids), Hooks.none());
    assertTrue(Fixture.relFrobenius(a, b) == 0.0, "streamed and resident weights must agree exactly");
  }
}
