package refusallens.core.intervention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SharedFixtures;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeLayout;

/** The clamp edit on the fixture residual stream equals sum_i (c - 1) * acts_i * W_dec[i], computed independently. */
class FeatureClampTest {

  static double relErr(INDArray a, INDArray b) {
    return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gemma2", "llama3"})
  void clampEditMatchesTheReferenceFormula(String arch) {
    Path dir = SharedFixtures.arch(arch);
    JsonNode sae = SharedFixtures.json(dir.resolve("reference.json")).get("sae");
    int layer = sae.get("layer").asInt();
    double c = sae.get("clamp_c").asDouble();
    List<Integer> feats = new ArrayList<>();
    sae.get("clamp_features").forEach(f -> feats.add(f.asInt()));
    FeatureIntervention iv = FeatureIntervention.scale(layer, feats, c, Positions.ALL);
    for (SaeLayout layout : new SaeLayout[] {SaeLayout.SAE_LENS, SaeLayout.GEMMA_SCOPE}) {
      Sae s = Sae.load(dir.resolve("sae"), layout, OptionalInt.of(layer));
      try (SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
          SafetensorsFile weights = SafetensorsFile.open(dir.resolve("sae/sae_weights.safetensors"))) {
        INDArray wDec = weights.getFloat("W_dec"); // read directly, not through the Sae
        for (int p = 0; ref.contains("p" + p + ".resid_post"); p++) {
          INDArray resid =
              ref.getFloat("p" + p + ".resid_post").get(NDArrayIndex.point(layer), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
          INDArray acts = ref.getFloat("p" + p + ".sae_acts"); // reference activations [seq, m]
          int seq = (int) resid.size(0);
          int d = (int) resid.size(1);
          int m = (int) acts.size(1);
          float[] a = acts.data().asFloat(); // [seq * m]
          float[] w = wDec.data().asFloat(); // [m * d]
          double[] sum = new double[seq * d];
          for (int t = 0; t < seq; t++) {
            for (int f : feats) {
              for (int i = 0; i < d; i++) {
                sum[t * d + i] += (c - 1) * a[t * m + f] * w[f * d + i];
              }
            }
          }
          INDArray want = Nd4j.createFromArray(sum).reshape(seq, d).castTo(resid.dataType());
          int[] rows = Positions.ALL.rows(0, seq, seq);
          INDArray edit = FeatureClamp.edit(resid, s, iv, rows);
          assertTrue(want.norm2Number().doubleValue() > 0, "the clamped features fire on p" + p);
          double e = relErr(edit, want);
          assertTrue(e <= 1e-4, arch + " " + layout + " p" + p + " edit rel err " + e);
          INDArray clamped = FeatureClamp.apply(resid, s, List.of(iv), 0, seq);
          assertTrue(relErr(clamped, resid.add(want)) <= 1e-5);
        }
      }
    }
  }

  @Test
  void valueEditsAndPositionsSelectTheRightRows() {
    Path dir = SharedFixtures.arch("gemma2");
    Sae s = Sae.load(dir.resolve("sae"));
    try (SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
      INDArray resid =
          ref.getFloat("p0.resid_post").get(NDArrayIndex.point(s.layer()), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
      int seq = (int) resid.size(0);
      INDArray acts = s.encode(resid);
      int f = 7;
      double v = 2.5;
      FeatureIntervention set = FeatureIntervention.value(s.layer(), List.of(f), v, new Positions.Last(3));
      int promptLength = seq - 2; // pretend the last 2 rows are generated tokens
      int[] rows = set.positions().rows(0, seq, promptLength);
      assertArrayEquals(new int[] {promptLength - 3, promptLength - 2, promptLength - 1}, rows);
      INDArray edit = FeatureClamp.apply(resid, s, List.of(set), 0, promptLength).sub(resid);
      float[] got = edit.data().asFloat();
      float[] a = acts.data().asFloat();
      float[] row = s.decoderRow(f).data().asFloat();
      int d = s.dIn();
      for (int t = 0; t < seq; t++) {
        boolean edited = t >= promptLength - 3 && t < promptLength;
        double coef = edited ? v - a[t * s.dSae() + f] : 0;
        for (int i = 0; i < d; i++) {
          assertEquals(coef * row[i], got[t * d + i], 1e-5 * (1 + Math.abs(coef * row[i])), "row " + t);
        }
      }
      // A decode step: one row at absolute position promptLength + 4 is generated.
      assertArrayEquals(new int[] {0}, Positions.GENERATED.rows(promptLength + 4, 1, promptLength));
      assertArrayEquals(new int[] {}, Positions.PROMPT.rows(promptLength + 4, 1, promptLength));
      assertArrayEquals(new int[] {}, new Positions.Last(2).rows(promptLength + 4, 1, promptLength));
      assertArrayEquals(new int[] {0, 1, 2}, Positions.PROMPT.rows(0, 5, 3));
      assertArrayEquals(new int[] {3, 4}, Positions.GENERATED.rows(0, 5, 3));
      // An empty edit changes nothing; wrong shapes and layers are clear errors.
      assertEquals(resid, FeatureClamp.apply(resid, s, set, new int[0]));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> FeatureClamp.apply(resid.getColumns(0, 1), s, set, rows));
      assertTrue(e.getMessage().contains("needs resid [seq, 64]"), e.getMessage());
      FeatureIntervention other = FeatureIntervention.scale(s.layer() + 1, List.of(1), 0, Positions.ALL);
      e = assertThrows(IllegalArgumentException.class, () -> FeatureClamp.edit(resid, s, other, rows));
      assertTrue(e.getMessage().contains("given the SAE of layer"), e.getMessage());
      FeatureIntervention big = FeatureIntervention.scale(s.layer(), List.of(s.dSae()), 0, Positions.ALL);
      e = assertThrows(IllegalArgumentException.class, () -> FeatureClamp.edit(resid, s, big, rows));
      assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }
  }
}
