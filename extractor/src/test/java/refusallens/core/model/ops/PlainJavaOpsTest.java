package refusallens.core.model.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.model.Transformer;
import refusallens.core.model.arch.RopeConfig;
import refusallens.core.model.arch.RopeTables;
import refusallens.core.model.weights.WeightStore;

/** Every {@link PlainJavaOps} op against {@link EagerOps} on random inputs, with the shapes the models use. */
class PlainJavaOpsTest {
  private static final double REL = 1e-5;

  private final Random random = new Random(7);
  private final INDArray w = rand(-1, 1, 256, 64);
  private final INDArray wide = rand(-1, 1, 512, 128);
  private final WeightStore store = WeightStore.of(Map.of("w", w, "wide", wide));
  private final EagerOps eager = new EagerOps(store);
  private final PlainJavaOps jvm = new PlainJavaOps(new PlainJavaOps.Weights(store));

  private INDArray rand(double lo, double hi, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (lo + (hi - lo) * random.nextDouble());
    }
    return Nd4j.create(v, shape, 'c');
  }

  /**
   * Same shape and, elementwise, |actual - expected| <= 1e-5 (|expected| + scale) + 1e-7. Ops that sum
   * several terms (products, reductions, softmax, GELU's 1 + tanh) take scale = the rms of the expected values, since a
   * sum that cancels to near 0 keeps the rounding error of its terms; pure elementwise ops take scale 0.
   */
  private static void assertClose(INDArray expected, FloatTensor actual, String what) {
    boolean sums = what.startsWith("gelu") || what.startsWith("linear") || what.startsWith("matmul") || what.startsWith("mean")
        || what.startsWith("sum") || what.startsWith("soft") || what.startsWith("log");
    INDArray a = actual.toNd4j();
    assertArrayEquals(expected.shape(), a.shape(), what + ": shape");
    assertEquals(DataType.FLOAT, a.dataType());
    float[] e = expected.castTo(DataType.FLOAT).dup('c').data().asFloat();
    float[] v = a.data().asFloat();
    double scale = 0;
    if (sums) {
      for (float f : e) {
        scale += (double) f * f;
      }
      scale = Math.sqrt(scale / Math.max(1, e.length));
    }
    for (int i = 0; i < e.length; i++) {
      double tol = REL * (Math.abs(e[i]) + scale) + 1e-7;
      if (!(Math.abs(v[i] - e[i]) <= tol) && !(Float.isNaN(e[i]) && Float.isNaN(v[i]))) {
        throw new AssertionError(what + ": element " + i + " is " + v[i] + ", nd4j gives " + e[i]);
      }
    }
  }

  private void binary(String what, BiFunction<TensorOps<INDArray>, INDArray[], INDArray> nd4j,
      BiFunction<TensorOps<FloatTensor>, FloatTensor[], FloatTensor> ours, INDArray... in) {
    FloatTensor[] f = new FloatTensor[in.length];
    for (int i = 0; i < in.length; i++) {
      f[i] = jvm.constant(in[i]);
    }
    assertClose(nd4j.apply(eager, in), ours.apply(jvm, f), what);
  }

  private void unary(String what, INDArray x, Function<TensorOps<INDArray>, Function<INDArray, INDArray>> nd4j,
      Function<TensorOps<FloatTensor>, Function<FloatTensor, FloatTensor>> ours) {
    assertClose(nd4j.apply(eager).apply(x), ours.apply(jvm).apply(jvm.constant(x)), what);
  }

  @Test
  void weightsAreCachedFloatCopies() {
    assertClose(w, jvm.weight("w"), "weight");
    assertSame(jvm.weight("w"), jvm.weight("w"), "a weight is copied once per model, not per call");
    assertThrows(IllegalArgumentException.class, () -> jvm.weight("missing"));
  }

  @Test
  void rowsComputedInPairsEqualEachRowAloneBitForBit() {
    // odd row count (a pair loop and a lone last row), k not a multiple of 4, and rows whose leading k steps are
    // zero while their partner's are not (the pair must not skip them wrongly)
    float[] a = new float[7 * 67];
    for (int i = 0; i < a.length; i++) {
      a[i] = ((i / 67) % 2 == 0 || i / 67 == 5) && i % 67 < 8 ? 0f : (float) (random.nextDouble() * 4 - 2);
    }
    FloatTensor weight = jvm.constant(rand(-1, 1, 40, 67));
    float[] all = jvm.linear(new FloatTensor(a, 7, 67), weight).data();
    for (int r = 0; r < 7; r++) {
      float[] row = java.util.Arrays.copyOfRange(a, r * 67, (r + 1) * 67);
      float[] alone = jvm.linear(new FloatTensor(row, 1, 67), weight).data();
      for (int j = 0; j < 40; j++) {
        assertEquals(Float.floatToIntBits(alone[j]), Float.floatToIntBits(all[r * 40 + j]), "row " + r + ", column " + j);
      }
    }
  }

  @Test
  void linearAndMatmul() {
    INDArray x = rand(-2, 2, 29, 64);
    assertClose(eager.linear(x, w), jvm.linear(jvm.constant(x), jvm.weight("w")), "linear [29,64] x [256,64]^T");
    // large enough to split rows over threads
    INDArray big = rand(-2, 2, 64, 128);
    assertClose(eager.linear(big, wide), jvm.linear(jvm.constant(big), jvm.weight("wide")), "linear, parallel rows");
    // rotate-half: [rows, hd] x [hd, hd]
    binary("matmul 2d", (o, a) -> o.matmul(a[0], a[1], false), (o, a) -> o.matmul(a[0], a[1], false),
        rand(-1, 1, 116, 16), rand(-1, 1, 16, 16));
    binary("matmul 2d^T", (o, a) -> o.matmul(a[0], a[1], true), (o, a) -> o.matmul(a[0], a[1], true),
        rand(-1, 1, 7, 16), rand(-1, 1, 5, 16));
    // scores: q [B, KV, G*S, hd] x k [B, KV, T, hd]^T; mixed: probs [B, KV, G*S, T] x v [B, KV, T, hd]
    binary("matmul 4d^T", (o, a) -> o.matmul(a[0], a[1], true), (o, a) -> o.matmul(a[0], a[1], true),
        rand(-1, 1, 3, 2, 58, 16), rand(-1, 1, 3, 2, 29, 16));
    binary("matmul 4d", (o, a) -> o.matmul(a[0], a[1], false), (o, a) -> o.matmul(a[0], a[1], false),
        rand(0, 1, 3, 2, 58, 29), rand(-1, 1, 3, 2, 29, 16));
    binary("matmul 3d", (o, a) -> o.matmul(a[0], a[1], false), (o, a) -> o.matmul(a[0], a[1], false),
        rand(-1, 1, 4, 6, 9), rand(-1, 1, 4, 9, 5));
    assertThrows(IllegalArgumentException.class,
        () -> jvm.matmul(jvm.constant(rand(0, 1, 2, 3)), jvm.constant(rand(0, 1, 4, 5)), false));
  }

  @Test
  void broadcastingArithmetic() {
    long[][][] patterns = {
      {{29, 64}, {29, 64}}, // residual add
      {{2, 2, 2, 5, 7}, {2, 1, 1, 5, 7}}, // scores + mask
      {{29, 4, 16}, {29, 1, 16}}, // x * cos
      {{29, 64}, {64}}, // normed * weight
      {{29, 64}, {29, 1}}, // x * rsqrt(meanSquare), e / sum
      {{29, 1}, {29, 64}}, // stretched left operand
      {{64}, {29, 64}},
      {{3, 1, 5}, {1, 4, 1}}, // both stretched
      {{6, 5}, {1, 1}},
    };
    for (long[][] p : patterns) {
      INDArray a = rand(-3, 3, p[0]);
      INDArray b = rand(0.5, 3, p[1]); // away from 0 for div
      String s = java.util.Arrays.toString(p[0]) + " . " + java.util.Arrays.toString(p[1]);
      binary("add " + s, (o, x) -> o.add(x[0], x[1]), (o, x) -> o.add(x[0], x[1]), a, b);
      binary("sub " + s, (o, x) -> o.sub(x[0], x[1]), (o, x) -> o.sub(x[0], x[1]), a, b);
      binary("mul " + s, (o, x) -> o.mul(x[0], x[1]), (o, x) -> o.mul(x[0], x[1]), a, b);
      binary("div " + s, (o, x) -> o.div(x[0], x[1]), (o, x) -> o.div(x[0], x[1]), a, b);
    }
    assertThrows(IllegalArgumentException.class,
        () -> jvm.add(jvm.constant(rand(0, 1, 3, 4)), jvm.constant(rand(0, 1, 3, 5))));
    INDArray x = rand(-3, 3, 29, 64);
    unary("mulScalar", x, o -> t -> o.mulScalar(t, 0.125), o -> t -> o.mulScalar(t, 0.125));
    unary("addScalar", x, o -> t -> o.addScalar(t, 1e-6), o -> t -> o.addScalar(t, 1e-6));
  }

  @Test
  void elementwiseFunctions() {
    // wide range for the saturating functions, plus values near 0 where tanh switches to its series
    INDArray x = Nd4j.concat(1, rand(-30, 30, 16, 64), rand(-2e-3, 2e-3, 16, 64), rand(-3, 3, 16, 64));
    INDArray pos = rand(1e-4, 50, 16, 64);
    unary("tanh", x, o -> o::tanh, o -> o::tanh);
    unary("sigmoid", x, o -> o::sigmoid, o -> o::sigmoid);
    unary("exp", rand(-20, 20, 16, 64), o -> o::exp, o -> o::exp);
    unary("natural log", pos, o -> o::log, o -> o::log);
    unary("rsqrt", pos, o -> o::rsqrt, o -> o::rsqrt);
    unary("square", x, o -> o::square, o -> o::square);
    unary("geluTanh", x, o -> o::geluTanh, o -> o::geluTanh);
    unary("silu", x, o -> o::silu, o -> o::silu);
    unary("tanh softcap", x, o -> t -> o.softcap(t, 3.0), o -> t -> o.softcap(t, 3.0));
  }

  @Test
  void softmaxFamily() {
    INDArray scores = rand(-5, 5, 2, 2, 2, 5, 7);
    // a fully masked row (left padding) and partly masked rows, as the attention mask makes them
    INDArray mask = rand(0, 1, 2, 1, 1, 5, 7).gt(0.5).castTo(DataType.FLOAT).mul(Transformer.MASKED);
    mask.putScalar(new long[] {1, 0, 0, 0, 0}, 0f);
    for (int k = 0; k < 7; k++) {
      mask.putScalar(new long[] {0, 0, 0, 2, k}, Transformer.MASKED);
    }
    INDArray masked = scores.add(mask);
    binary("softmax masked", (o, a) -> o.softmax(a[0], 4), (o, a) -> o.softmax(a[0], 4), masked);
    binary("softmax dim 1", (o, a) -> o.softmax(a[0], 1), (o, a) -> o.softmax(a[0], 1), scores);
    binary("logSoftmax", (o, a) -> o.logSoftmax(a[0], 4), (o, a) -> o.logSoftmax(a[0], 4), scores);
    binary("logSumExp", (o, a) -> o.logSumExp(a[0], 2), (o, a) -> o.logSumExp(a[0], 2), scores);
  }

  /** The one-pass RMSNorm equals the composition, with Gemma's (1 + w) and Llama's w. */
  @Test
  void rmsNormMatchesTheComposition() {
    for (double offset : new double[] {0.0, 1.0}) {
      binary("mean rmsNorm offset " + offset, (o, a) -> o.rmsNorm(a[0], a[1], 1e-6, offset),
          (o, a) -> o.rmsNorm(a[0], a[1], 1e-6, offset), rand(-3, 3, 7, 64), rand(-1, 1, 64));
    }
  }

  /** The written-out rotary embedding equals the product with the rotate_half matrix. */
  @Test
  void rotaryMatchesTheRotateHalfProduct() {
    int n = 5, heads = 3, hd = 8;
    INDArray rotateHalf = new RopeTables(new RopeConfig(10_000.0, java.util.Optional.empty()), hd).rotateHalfMatrix();
    binary("rotary", (o, a) -> o.rotary(a[0], n, heads, hd, a[1], a[2], a[3]),
        (o, a) -> o.rotary(a[0], n, heads, hd, a[1], a[2], a[3]),
        rand(-2, 2, n, heads, hd), rand(-1, 1, n, 1, hd), rand(-1, 1, n, 1, hd), rotateHalf);
  }

  /** The fused attention equals the default composition (on ND4J) with and without soft-capping. */
  @Test
  void fusedAttentionMatchesTheComposition() {
    int b = 2, kv = 2, g = 2, s = 5, t = 7, hd = 4;
    INDArray q = rand(-2, 2, b, kv, g * s, hd);
    INDArray k = rand(-2, 2, b, kv, t, hd);
    INDArray v = rand(-1, 1, b, kv, t, hd);
    // causal over the last s of t slots, a fully masked query (left padding) and a padded key
    INDArray mask = Nd4j.zeros(DataType.FLOAT, b, 1, 1, s, t);
    for (int bi = 0; bi < b; bi++) {
      for (int si = 0; si < s; si++) {
        for (int ti = 0; ti < t; ti++) {
          if (ti > si + (t - s) || (bi == 1 && ti == 0)) {
            mask.putScalar(new long[] {bi, 0, 0, si, ti}, Transformer.MASKED);
          }
        }
      }
    }
    for (int ti = 0; ti < t; ti++) {
      mask.putScalar(new long[] {0, 0, 0, 0, ti}, Transformer.MASKED);
    }
    for (java.util.OptionalDouble cap : List.of(java.util.OptionalDouble.empty(), java.util.OptionalDouble.of(3.0))) {
      binary("matmul attention " + cap, (o, a) -> o.attention(a[0], a[1], a[2], a[3], b, kv, g, s, t, 0.5, cap),
          (o, a) -> o.attention(a[0], a[1], a[2], a[3], b, kv, g, s, t, 0.5, cap), q, k, v, mask);
    }
  }

  @Test
  void reductionsKeepTheDim() {
    INDArray x = rand(-3, 3, 4, 5, 6);
    for (int d = 0; d < 3; d++) {
      int dim = d;
      unary("mean " + d, x, o -> t -> o.mean(t, dim), o -> t -> o.mean(t, dim));
      unary("sum " + d, x, o -> t -> o.sum(t, dim), o -> t -> o.sum(t, dim));
      unary("max " + d, x, o -> t -> o.max(t, dim), o -> t -> o.max(t, dim));
    }
    INDArray big = rand(-1, 1, 29, 64);
    FloatTensor s = jvm.sumAll(jvm.constant(big));
    INDArray e = eager.sumAll(big);
    assertEquals(e.rank(), s.toNd4j().rank(), "sumAll gives a scalar");
    assertEquals(e.getDouble(0), s.toNd4j().getDouble(0), 1e-4);
  }

  @Test
  void layoutOps() {
    INDArray x = rand(-1, 1, 2, 3, 2, 2, 5); // [B, S, KV, G, hd]
    unary("reshape", x, o -> t -> o.reshape(t, 6, 20), o -> t -> o.reshape(t, 6, 20));
    unary("reshape -1", x, o -> t -> o.reshape(t, 12, -1), o -> t -> o.reshape(t, 12, -1));
    unary("permute 0,2,3,1,4", x, o -> t -> o.reshape(o.permute(t, 0, 2, 3, 1, 4), 2, 2, 6, 5),
        o -> t -> o.reshape(o.permute(t, 0, 2, 3, 1, 4), 2, 2, 6, 5));
    unary("permute 0,3,1,2,4", x, o -> t -> o.permute(t, 0, 3, 1, 2, 4), o -> t -> o.permute(t, 0, 3, 1, 2, 4));
    INDArray k = rand(-1, 1, 2, 3, 2, 5);
    unary("permute 0,2,1,3", k, o -> t -> o.permute(t, 0, 2, 1, 3), o -> t -> o.permute(t, 0, 2, 1, 3));
    unary("permute 1,0", rand(-1, 1, 3, 4), o -> t -> o.permute(t, 1, 0), o -> t -> o.permute(t, 1, 0));
    int[] ids = {5, 0, 255, 5, 17};
    unary("gatherRows", w, o -> t -> o.gatherRows(t, ids), o -> t -> o.gatherRows(t, ids));
    assertThrows(IllegalArgumentException.class, () -> jvm.gatherRows(jvm.weight("w"), new int[] {256}));
    for (int d = 0; d < 3; d++) {
      int dim = d;
      long[] other = {4, 5, 6};
      other[d] = 3;
      binary("concat " + d, (o, a) -> o.concat(dim, a[0], a[1]), (o, a) -> o.concat(dim, a[0], a[1]),
          rand(-1, 1, 4, 5, 6), rand(-1, 1, other));
    }
    assertThrows(IllegalArgumentException.class, () -> jvm.reshape(jvm.constant(x), 7, 7));
  }

  @Test
  void constantAndValueConvert() {
    INDArray view = rand(-1, 1, 3, 4, 5).permute(2, 0, 1); // a non-contiguous view
    FloatTensor t = jvm.constant(view);
    assertArrayEquals(new int[] {5, 3, 4}, t.shape());
    assertEquals(view, jvm.value(t));
    INDArray doubles = rand(-1, 1, 2, 3).castTo(DataType.DOUBLE);
    assertClose(doubles, jvm.constant(doubles), "a DOUBLE constant becomes float");
    assertSame(t, jvm.stopGradient(t));
    float[] values = {1, 2, 3, 4, 5, 6};
    assertClose(eager.constant(values, 2, 1, 3), jvm.constant(values, 2, 1, 3), "constant of values");
    assertTrue(jvm.value(t).dataType() == DataType.FLOAT);
  }
}
