package refusallens.eval.clamp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.InterventionHooks;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.model.HookContext;
import refusallens.core.model.HookName;
import refusallens.refusal.DirectionPositions;
import refusallens.refusal.FeatureKey;
import refusallens.refusal.FeatureRole;
import refusallens.refusal.FeaturesFile;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeArchitecture;
import refusallens.core.sae.SaeLensWriter;

/**
 * harmful-mean:M induction sets every feature of the set to M times its recorded mean activation on harmful
 * prompts, read back by re-encoding the stream the runtime's clamp hook leaves; scale/value parse as before.
 */
class InductionTest {
  private static final int D = 8;
  private static final int M = 6;
  private static final int LAYER = 1;

  @TempDir Path tmp;

  @Test
  void parsesTheThreeModesAndNamesTheFlagOnErrors() {
    assertEquals(new Induction(Induction.Mode.HARMFUL_MEAN, 2), Induction.parse("harmful-mean:2"));
    assertEquals(new Induction(Induction.Mode.SCALE, 4), Induction.parse("scale:4"));
    assertEquals(new Induction(Induction.Mode.VALUE, 8), Induction.parse("value:8"));
    assertEquals(Induction.DEFAULT, Induction.parse(Induction.DEFAULT_FLAG));
    assertEquals(Induction.Mode.HARMFUL_MEAN, Induction.DEFAULT.mode());
    assertEquals("harmful-mean:1.5", Induction.parse("harmful-mean:1.5").toString());
    for (String bad : List.of("harmful-mean", "harmful-mean:x", "mean:2", "scale:NaN", "value:Infinity")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Induction.parse(bad));
      assertTrue(e.getMessage().contains("--induce") && e.getMessage().contains("harmful-mean:M"), e.getMessage());
    }
  }

  @Test
  void harmfulMeanSetsEachFeatureToMTimesItsRecordedMeanThroughTheClampHook() {
    Sae sae = orthonormalSae(tmp.resolve("sae"), new Random(5));
    Map<Integer, Double> means = Map.of(1, 0.5, 3, 1.25, 4, 2.0); // F* at LAYER with its recorded mean_act_harmful
    FeaturesFile f = featuresFile(means);
    double mult = 2.0;
    InterventionSpec spec = Induction.parse("harmful-mean:" + mult).spec(FeatureSet.fStar(f), HarmfulMeans.of(f, null)::of);
    assertEquals(3, spec.interventions().size(), "one entry per feature, each with its own value");
    for (FeatureIntervention iv : spec.interventions()) {
      assertEquals(mult * means.get(iv.features().get(0)), iv.value(), 1e-12);
    }

    // a stream [1, S, d] of non-negative feature codes (silent features included, as on harmless prompts)
    int s = 5;
    Random r = new Random(9);
    double[][] codes = new double[s][M];
    for (int p = 0; p < s; p++) {
      for (int j = 0; j < M; j++) {
        codes[p][j] = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 3;
      }
    }
    codes[0][1] = 0; // feature 1 silent at position 0
    INDArray resid = Nd4j.create(codes).castTo(DataType.FLOAT).mmul(sae.wDec()); // [S, d]
    INDArray before = sae.encode(resid); // [S, m]
    HookContext<INDArray> ctx = new HookContext<>(null, 1, 0, s, new int[] {0}, s);
    INDArray out = InterventionHooks.clampAt(sae, spec.atLayer(LAYER))
        .apply(resid.reshape(1, s, D), HookName.residPost(LAYER), ctx);
    INDArray after = sae.encode(out.reshape(s, D)); // [S, m]
    for (int p = 0; p < s; p++) {
      for (int j = 0; j < M; j++) {
        double want = means.containsKey(j) ? mult * means.get(j) : before.getDouble(p, j);
        assertEquals(want, after.getDouble(p, j), 1e-4, "position " + p + ", feature " + j);
      }
    }
  }

  @Test
  void featuresWithoutARecordedMeanAreMeasuredOnceOrNamed() {
    FeaturesFile f = featuresFile(Map.of(1, 0.5));
    AtomicInteger calls = new AtomicInteger();
    HarmfulMeans m = HarmfulMeans.of(f, () -> {
      calls.incrementAndGet();
      return Map.of(LAYER, new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
    });
    assertEquals(0.5, m.of(new FeatureKey(LAYER, 1)), 0, "recorded wins");
    assertEquals(0.0, calls.get());
    assertEquals(0.4, m.of(new FeatureKey(LAYER, 3)), 0);
    assertEquals(0.6, m.of(new FeatureKey(LAYER, 5)), 0);
    assertEquals(1, calls.get(), "measured once");
    assertEquals(2, m.measuredFeatures().size());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HarmfulMeans.of(f, null).of(new FeatureKey(LAYER, 3)));
    assertTrue(e.getMessage().contains("mean_act_harmful") && e.getMessage().contains("feature 3"), e.getMessage());
  }

  /** A ReLU SAE with orthonormal decoder rows and W_enc = W_dec^T, zero biases: encode(sum c_j W_dec[j]) = c. */
  private static Sae orthonormalSae(Path dir, Random r) {
    double[][] rows = new double[M][D];
    for (int i = 0; i < M; i++) {
      for (int k = 0; k < D; k++) {
        rows[i][k] = r.nextGaussian();
      }
      for (int j = 0; j < i; j++) { // Gram-Schmidt
        double dot = 0;
        for (int k = 0; k < D; k++) {
          dot += rows[i][k] * rows[j][k];
        }
        for (int k = 0; k < D; k++) {
          rows[i][k] -= dot * rows[j][k];
        }
      }
      double n = 0;
      for (int k = 0; k < D; k++) {
        n += rows[i][k] * rows[i][k];
      }
      for (int k = 0; k < D; k++) {
        rows[i][k] /= Math.sqrt(n);
      }
    }
    INDArray wDec = Nd4j.create(rows).castTo(DataType.FLOAT); // [m, d]
    SaeLensWriter.write(dir, SaeArchitecture.STANDARD, HookName.residPost(LAYER), false, OptionalInt.empty(),
        wDec.transpose().dup(), Nd4j.zeros(DataType.FLOAT, M), wDec, Nd4j.zeros(DataType.FLOAT, D), null);
    return Sae.load(dir);
  }

  static FeaturesFile featuresFile(Map<Integer, Double> meanHarmful) {
    List<FeaturesFile.Feature> fs = new ArrayList<>();
    new java.util.TreeMap<>(meanHarmful).forEach((i, m) ->
        fs.add(new FeaturesFile.Feature(LAYER, i, FeatureRole.REFUSAL, 0.5, 1.0, m, 0.0, List.of(), null)));
    return new FeaturesFile(FeaturesFile.SCHEMA_VERSION, FeaturesFile.KIND,
        new FeaturesFile.Direction(LAYER, 1.0, DirectionPositions.LAST, null, null, new float[D]), fs, List.of(), null, null,
        null, null, null, null);
  }
}
