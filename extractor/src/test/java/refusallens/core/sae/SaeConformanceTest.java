package refusallens.core.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SharedFixtures;

/** The fixture SAE, loaded from params.npz and from its SAELens copy, reproduces sae_acts and sae_recon. */
class SaeConformanceTest {

  static Stream<Arguments> cases() {
    return SharedFixtures.ARCHS.stream()
        .flatMap(a -> Stream.of(Arguments.of(a, SaeLayout.GEMMA_SCOPE), Arguments.of(a, SaeLayout.SAE_LENS)));
  }

  /** Relative Frobenius error ||a - b|| / ||b||. */
  static double relErr(INDArray a, INDArray b) {
    return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
  }

  /** resid_post of prompt {@code p} at {@code layer}: [seq, d]. */
  static INDArray residAt(SafetensorsFile ref, int p, int layer) {
    INDArray all = ref.getFloat("p" + p + ".resid_post"); // [layers, seq, d]
    return all.get(NDArrayIndex.point(layer), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
  }

  static int promptCount(SafetensorsFile ref) {
    int n = 0;
    while (ref.contains("p" + n + ".resid_post")) {
      n++;
    }
    return n;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void encodeAndDecodeMatchTheReference(String arch, SaeLayout layout) {
    Path dir = SharedFixtures.arch(arch);
    JsonNode sae = SharedFixtures.json(dir.resolve("reference.json")).get("sae");
    int layer = sae.get("layer").asInt();
    Sae s = Sae.load(dir.resolve("sae"), layout, OptionalInt.of(layer));
    assertEquals(sae.get("hook_name").asText(), s.hookName());
    assertEquals(layer, s.layer());
    assertEquals(sae.get("d_sae").asInt(), s.dSae());
    assertEquals(SaeArchitecture.JUMPRELU, s.architecture());
    assertTrue(s instanceof JumpReluSae);
    int[] clamp = toInts(sae.get("clamp_features"));
    try (SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
      int prompts = promptCount(ref);
      assertTrue(prompts > 0);
      for (int p = 0; p < prompts; p++) {
        INDArray x = residAt(ref, p, layer);
        INDArray wantActs = ref.getFloat("p" + p + ".sae_acts");
        INDArray wantRecon = ref.getFloat("p" + p + ".sae_recon");
        INDArray acts = s.encode(x);
        assertArrayEquals(wantActs.shape(), acts.shape());
        double eActs = relErr(acts, wantActs);
        double eRecon = relErr(s.decode(acts), wantRecon);
        assertTrue(eActs <= 1e-4, arch + " " + layout + " p" + p + " sae_acts rel err " + eActs);
        assertTrue(eRecon <= 1e-4, arch + " " + layout + " p" + p + " sae_recon rel err " + eRecon);
        // The per-feature path gives the same columns as the full encode.
        assertTrue(relErr(s.encodeFeatures(x, clamp), wantActs.getColumns(clamp)) <= 1e-4);
      }
    }
  }

  static int[] toInts(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asInt();
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void bothLayoutsHoldTheSameSae(String arch, SaeLayout layout) {
    Path dir = SharedFixtures.arch(arch).resolve("sae");
    assertEquals(List.of(SaeLayout.SAE_LENS, SaeLayout.GEMMA_SCOPE), SaeLayout.present(dir));
    assertEquals(SaeLayout.SAE_LENS, SaeLayout.detect(dir));
    Sae a = Sae.load(dir, layout, OptionalInt.of(Sae.load(dir).layer()));
    Sae b = Sae.load(dir);
    assertEquals(b.wEnc(), a.wEnc());
    assertEquals(b.wDec(), a.wDec());
    assertEquals(b.decoderRow(5), a.wDec().getRow(5));
  }
}
