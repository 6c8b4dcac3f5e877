package refusallens.core.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.OptionalInt;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Encode/decode semantics of each architecture and layout on small SAEs written in the real layouts, against
 * an independent double-precision computation.
 */
class SaeSemanticsTest {
  static final int D = 16;
  static final int M = 48;
  @TempDir Path tmp;

  /** pre[r][j] = sum_i (x[r][i] * inScale - sub[i]) * W_enc[i][j] + b_enc[j], in double. */
  static double[][] pre(INDArray x, SmallSaes.Weights w, double inScale, boolean subtractBDec) {
    int n = (int) x.size(0);
    double[][] out = new double[n][M];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < M; j++) {
        double s = w.bEnc().getDouble(j);
        for (int i = 0; i < D; i++) {
          double xi = x.getDouble(r, i) * inScale - (subtractBDec ? w.bDec().getDouble(i) : 0);
          s += xi * w.wEnc().getDouble(i, j);
        }
        out[r][j] = s;
      }
    }
    return out;
  }

  /** recon[r][i] = (sum_j acts[r][j] * W_dec[j][i] + b_dec[i]) / outScale, in double. */
  static double[][] recon(double[][] acts, SmallSaes.Weights w, double outScale) {
    double[][] out = new double[acts.length][D];
    for (int r = 0; r < acts.length; r++) {
      for (int i = 0; i < D; i++) {
        double s = w.bDec().getDouble(i);
        for (int j = 0; j < M; j++) {
          s += acts[r][j] * w.wDec().getDouble(j, i);
        }
        out[r][i] = s / outScale;
      }
    }
    return out;
  }

  static void assertClose(double[][] want, INDArray got, double tol, String what) {
    assertEquals(want.length, got.size(0));
    for (int r = 0; r < want.length; r++) {
      for (int j = 0; j < want[r].length; j++) {
        assertEquals(want[r][j], got.getDouble(r, j), tol * (1 + Math.abs(want[r][j])), what + " [" + r + ", " + j + "]");
      }
    }
  }

  static INDArray inputs(long seed, double scale) {
    return SmallSaes.gauss(new Random(seed), scale, 6, D);
  }

  @Test
  void standardSaeSubtractsBDecWhenAsked() {
    SmallSaes.Weights w = SmallSaes.Weights.random(D, M, 1);
    for (boolean apply : new boolean[] {true, false}) {
      Path dir = SmallSaes.saeLens(tmp.resolve("std" + apply), SmallSaes.saeLensCfg("standard", D, M, "blocks.3.hook_resid_post", apply, ""), w, false);
      Sae sae = Sae.load(dir);
      assertInstanceOf(ReluSae.class, sae);
      assertEquals(3, sae.layer());
      INDArray x = inputs(2, 1);
      double[][] pre = pre(x, w, 1, apply);
      double[][] acts = new double[pre.length][M];
      for (int r = 0; r < pre.length; r++) {
        for (int j = 0; j < M; j++) {
          acts[r][j] = Math.max(0, pre[r][j]);
        }
      }
      INDArray got = sae.encode(x);
      assertClose(acts, got, 1e-5, "acts apply_b_dec=" + apply);
      assertClose(recon(acts, w, 1), sae.decode(got), 1e-5, "recon");
    }
  }

  @Test
  void llamaScopeJumpReluFoldsNormAndThreshold() {
    SmallSaes.Weights w = SmallSaes.Weights.random(D, M, 3);
    double normIn = 1.7; // s = sqrt(16) / 1.7 ≈ 2.35
    double t = 0.3;
    Path dir =
        SmallSaes.llamaScope(
            tmp.resolve("L5R"),
            "{\"d_model\": " + D + ", \"d_sae\": " + M + ", \"hook_point_in\": \"blocks.5.hook_resid_post\","
                + " \"hook_point_out\": \"blocks.5.hook_resid_post\", \"act_fn\": \"jumprelu\", \"jump_relu_threshold\": " + t
                + ", \"norm_activation\": \"dataset-wise\", \"dataset_average_activation_norm\": {\"in\": " + normIn
                + ", \"out\": 1.9}, \"top_k\": 50}",
            w);
    assertEquals(SaeLayout.LLAMA_SCOPE, SaeLayout.detect(dir));
    Sae sae = Sae.load(dir);
    assertInstanceOf(JumpReluSae.class, sae);
    double s = Math.sqrt(D) / normIn;
    assertEquals(s, sae.config().inputScale(), 1e-12);
    INDArray x = inputs(4, 0.5);
    // Encode x * s; threshold * s (current SAELens); decode / s.
    double[][] pre = pre(x, w, s, false);
    double[][] acts = new double[pre.length][M];
    int between = 0;
    for (int r = 0; r < pre.length; r++) {
      for (int j = 0; j < M; j++) {
        acts[r][j] = pre[r][j] > t * s ? pre[r][j] : 0;
        if (pre[r][j] > t && pre[r][j] <= t * s) {
          between++; // features an unscaled threshold would wrongly keep
        }
      }
    }
    assertTrue(between > 0, "test data must separate the scaled from the unscaled threshold");
    INDArray got = sae.encode(x);
    assertClose(acts, got, 1e-5, "acts");
    assertClose(recon(acts, w, s), sae.decode(got), 1e-5, "recon");
    // The folded weights, as SAELens folds them.
    JumpReluSae j = (JumpReluSae) sae;
    assertEquals(t * s, j.threshold().getDouble(7), 1e-5);
    assertEquals(w.wEnc().getDouble(2, 9) * s, sae.wEnc().getDouble(2, 9), 1e-5);
    assertEquals(w.wDec().getDouble(9, 2) / s, sae.wDec().getDouble(9, 2), 1e-6);
    assertEquals(w.bDec().getDouble(4) / s, sae.bDec().getDouble(4), 1e-6);
    assertEquals(w.bEnc().getDouble(4), sae.bEnc().getDouble(4), 0);
  }

  /** Independent top-k: indices of the k largest (ties to the lower index), through relu. */
  static double[][] topK(double[][] pre, int k) {
    double[][] out = new double[pre.length][M];
    for (int r = 0; r < pre.length; r++) {
      double[] row = pre[r];
      Integer[] idx = IntStream.range(0, M).boxed().toArray(Integer[]::new);
      Arrays.sort(idx, Comparator.<Integer>comparingDouble(j -> -row[j]).thenComparingInt(j -> j));
      for (int q = 0; q < k; q++) {
        out[r][idx[q]] = Math.max(0, row[idx[q]]);
      }
    }
    return out;
  }

  @Test
  void topKKeepsTheKLargestThroughRelu() {
    SmallSaes.Weights w = SmallSaes.Weights.random(D, M, 5);
    int k = 5;
    Path lens =
        SmallSaes.saeLens(
            tmp.resolve("topk"), SmallSaes.saeLensCfg("topk", D, M, "blocks.1.hook_resid_post", false, ", \"k\": " + k), w, false);
    Path old =
        SmallSaes.saeLens(
            tmp.resolve("old"),
            SmallSaes.saeLensCfg("standard", D, M, "blocks.1.hook_resid_post", false,
                ", \"activation_fn_str\": \"topk\", \"activation_fn_kwargs\": {\"k\": " + k + "}"),
            w, false);
    Path llama =
        SmallSaes.llamaScope(
            tmp.resolve("llama"),
            "{\"d_model\": " + D + ", \"d_sae\": " + M + ", \"hook_point_in\": \"blocks.1.hook_resid_post\","
                + " \"act_fn\": \"topk\", \"top_k\": " + k + ", \"norm_activation\": \"dataset-wise\","
                + " \"dataset_average_activation_norm\": {\"in\": 2.0}}",
            w);
    INDArray x = inputs(6, 1);
    x.getRow(5).assign(0); // pre = b_enc: few positive values, so relu bites within the top k
    for (Path dir : new Path[] {lens, old, llama}) {
      Sae sae = Sae.load(dir);
      assertInstanceOf(TopKSae.class, sae);
      assertEquals(k, ((TopKSae) sae).k());
      double s = sae.config().inputScale();
      double[][] want = topK(pre(x, w, s, false), k);
      INDArray got = sae.encode(x);
      assertClose(want, got, 1e-5, dir.getFileName().toString());
      for (int r = 0; r < x.size(0); r++) {
        long nonzero = Arrays.stream(got.getRow(r).toDoubleVector()).filter(v -> v != 0).count();
        assertTrue(nonzero <= k, "at most k active");
      }
      int[] feats = {0, 7, 30};
      assertClose(
          Arrays.stream(want).map(row -> new double[] {row[0], row[7], row[30]}).toArray(double[][]::new),
          sae.encodeFeatures(x, feats), 1e-5, "selected features");
      assertClose(recon(want, w, s), sae.decode(got), 1e-5, "recon");
    }
    // Ties go to the lower index.
    double[][] tie = new double[1][M];
    tie[0][3] = 1;
    tie[0][9] = 1;
    tie[0][20] = 1;
    assertEquals(1.0, topK(tie, 2)[0][3]);
    assertEquals(0.0, topK(tie, 2)[0][20]);
  }

  @Test
  void gemmaScopeLayerComesFromThePathOrIsGiven() {
    SmallSaes.Weights w = SmallSaes.Weights.random(D, M, 7);
    Path dir = SmallSaes.gemmaScope(tmp.resolve("layer_9/width_16k/average_l0_50"), w);
    Sae sae = Sae.load(dir);
    assertEquals(9, sae.layer());
    assertEquals("blocks.9.hook_resid_post", sae.hookName());
    assertEquals(w.wEnc(), sae.wEnc());
    Path bare = SmallSaes.gemmaScope(tmp.resolve("plain"), w);
    SaeException e = assertThrows(SaeException.class, () -> Sae.load(bare));
    assertTrue(e.getMessage().contains("LAYER=DIR"), e.getMessage());
    assertEquals(4, Sae.load(bare, SaeLayout.GEMMA_SCOPE, OptionalInt.of(4)).layer());
    SaeException mismatch =
        assertThrows(SaeException.class, () -> Sae.load(dir, SaeLayout.GEMMA_SCOPE, OptionalInt.of(3)));
    assertTrue(mismatch.getMessage().contains("path says layer 9"), mismatch.getMessage());
    // JumpReLU without b_dec subtraction, against the double computation.
    INDArray x = inputs(8, 1);
    double[][] pre = pre(x, w, 1, false);
    for (double[] row : pre) {
      for (int j = 0; j < M; j++) {
        row[j] = row[j] > w.threshold().getDouble(j) ? row[j] : 0;
      }
    }
    assertClose(pre, sae.encode(x), 1e-5, "gemmascope acts");
  }

  /** The column gather reads the selected elements only, from c-ordered arrays, f-ordered ones and views alike. */
  @Test
  void selectColumnsMatchesNd4jOnEveryLayout() {
    INDArray a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 7, 11);
    int[] cols = {10, 0, 3, 3};
    for (INDArray x : new INDArray[] {a, a.dup('f'), a.transpose(),
        a.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5), org.nd4j.linalg.indexing.NDArrayIndex.all()),
        a.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 9))}) {
      int[] in = Arrays.stream(cols).map(c -> c % (int) x.size(1)).toArray();
      assertEquals(x.getColumns(in), Sae.selectColumns(x, in), Arrays.toString(x.shape()) + " " + x.ordering());
    }
  }
}
