package refusallens.core.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.ops.FloatTensor;

/**
 * The plain-Java encode and decode ({@link FloatTensor}) agree with the ND4J path on the fixture SAEs in every
 * layout and activation: GemmaScope and SAELens files as shipped (JumpReLU), and the same weights written as
 * LlamaScope (JumpReLU, input norm folded), SAELens standard (ReLU, b_dec subtracted) and SAELens TopK.
 */
class SaePlainJavaConformanceTest {
  @TempDir static Path tmp;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String arch : SharedFixtures.ARCHS) {
      for (String variant : List.of("gemmascope", "saelens", "llamascope", "standard", "topk")) {
        out.add(Arguments.of(arch, variant));
      }
    }
    return out.stream();
  }

  /** The fixture SAE of {@code arch} in the layout and activation {@code variant} names. */
  static Sae load(String arch, String variant) {
    Path dir = SharedFixtures.arch(arch).resolve("sae");
    Sae shipped = Sae.load(dir);
    int layer = shipped.layer();
    if (variant.equals("gemmascope")) {
      return Sae.load(dir, SaeLayout.GEMMA_SCOPE, OptionalInt.of(layer));
    }
    if (variant.equals("saelens")) {
      return Sae.load(dir, SaeLayout.SAE_LENS, OptionalInt.of(layer));
    }
    SmallSaes.Weights w = new SmallSaes.Weights(shipped.wEnc(), shipped.bEnc(), shipped.wDec(), shipped.bDec(), null);
    int d = shipped.dIn();
    int m = shipped.dSae();
    Path out = tmp.resolve(arch + "-" + variant);
    return switch (variant) {
      case "llamascope" -> Sae.load(SmallSaes.llamaScope(out,
          "{\"d_model\": " + d + ", \"d_sae\": " + m + ", \"hook_point_in\": \"" + shipped.hookName() + "\","
              + " \"act_fn\": \"jumprelu\", \"jump_relu_threshold\": 0.05, \"norm_activation\": \"dataset-wise\","
              + " \"dataset_average_activation_norm\": {\"in\": 3.0, \"out\": 3.0}}", w));
      case "standard" -> Sae.load(SmallSaes.saeLens(out,
          SmallSaes.saeLensCfg("standard", d, m, shipped.hookName(), true, ""), w, false));
      case "topk" -> Sae.load(SmallSaes.saeLens(out,
          SmallSaes.saeLensCfg("topk", d, m, shipped.hookName(), true, ", \"k\": 8"), w, false));
      default -> throw new IllegalArgumentException(variant);
    };
  }

  @ParameterizedTest
  @MethodSource("cases")
  void plainJavaEncodeAndDecodeMatchNd4j(String arch, String variant) {
    Sae sae = load(arch, variant);
    if (variant.equals("topk")) {
      assertInstanceOf(TopKSae.class, sae);
    } else if (variant.equals("standard")) {
      assertInstanceOf(ReluSae.class, sae);
    } else {
      assertInstanceOf(JumpReluSae.class, sae);
    }
    try (SafetensorsFile ref = SafetensorsFile.open(SharedFixtures.arch(arch).resolve("reference.safetensors"))) {
      int prompts = SaeConformanceTest.promptCount(ref);
      assertTrue(prompts > 0);
      long active = 0;
      long total = 0;
      for (int p = 0; p < prompts; p++) {
        INDArray x = SaeConformanceTest.residAt(ref, p, sae.layer()); // [seq, d]
        INDArray nd4j = sae.encode(x);
        INDArray plain = sae.encode(FloatTensor.of(x)).toNd4j();
        assertArrayEquals(nd4j.shape(), plain.shape());
        double eActs = SaeConformanceTest.relErr(plain, nd4j);
        assertTrue(eActs <= 1e-5, arch + " " + variant + " p" + p + " acts rel err " + eActs);
        double eRecon = SaeConformanceTest.relErr(sae.decode(FloatTensor.of(nd4j)).toNd4j(), sae.decode(nd4j));
        assertTrue(eRecon <= 1e-5, arch + " " + variant + " p" + p + " recon rel err " + eRecon);
        active += plain.gt(0).castTo(DataType.INT).sumNumber().longValue();
        total += plain.length();
      }
      // the comparison means something only where some features fire and some do not
      assertTrue(active > 0 && active < total, arch + " " + variant + ": " + active + " of " + total + " active");
    }
  }
}
