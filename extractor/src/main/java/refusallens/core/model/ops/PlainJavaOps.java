package refusallens.core.model.ops;

import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.Transformer;
import refusallens.core.model.weights.WeightStore;

/**
 * {@link TensorOps} in plain Java loops over {@link FloatTensor}s: the runtime of small models.
 *
 * <p>Why it exists: ND4J spends tens of microseconds per op whatever the tensor size (measured on the
 * 2-core dev machine: {@code x.add(x)} on [29, 64] ~40-50 us, a [29, 64] x [64, 256]^T matmul ~120 us
 * for ~11 us of arithmetic), and a forward pass is ~150 ops, so a 4-layer d_model-64 model took ~27 ms
 * per prompt for ~15 MFLOP. No library we may use does tiny tensors without that overhead, so here the
 * ops are written out; matrix products use the i-k-j order with a pre-transposed weight, whose inner
 * loop {@code c[i][:] += a[i][k] * b[k][:]} HotSpot vectorises (see {@link #gemmRows}). Semantics are exactly those of
 * {@link EagerOps} (numpy broadcasting, keep-dim reductions), so the architectures stay written once.
 */
public final class PlainJavaOps implements TensorOps<FloatTensor> {
  /** Multiply-adds of one matrix product above which its rows are split over the common fork-join pool. */
  static final long PARALLEL_MACS = 1L << 21;

  private final Weights weights;

  public PlainJavaOps(Weights weights) {
    this.weights = weights;
  }

  /**
   * Float copies of a {@link WeightStore}'s tensors, made on first use and kept (one per model, shared by
   * every thread), so a pass never copies the checkpoint; linear layers also keep their transposes.
   */
  public static final class Weights {
    private final WeightStore store;
    private final Map<String, FloatTensor> cache = new ConcurrentHashMap<>();

    public Weights(WeightStore store) {
      this.store = store;
    }

    FloatTensor get(String name) {
      FloatTensor t = cache.get(name);
      return t != null ? t : cache.computeIfAbsent(name, n -> FloatTensor.of(store.get(n)));
    }
  }

  @Override
  public FloatTensor weight(String name) {
    return weights.get(name);
  }

  @Override
  public FloatTensor constant(INDArray value) {
    return FloatTensor.of(value);
  }

  @Override
  public FloatTensor constant(float[] values, long... shape) {
    int[] s = new int[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.toIntExact(shape[i]);
    }
    return new FloatTensor(values, s);
  }

  @Override
  public INDArray value(FloatTensor x) {
    return x.toNd4j();
  }

  @Override
  public java.util.Optional<String> nonFinite(FloatTensor x) {
    boolean inf = false;
    for (float v : x.data()) {
      if (Float.isNaN(v)) {
        return java.util.Optional.of("NaN");
      }
      inf |= Float.isInfinite(v);
    }
    return inf ? java.util.Optional.of("infinity") : java.util.Optional.empty();
  }

  @Override
  public FloatTensor stopGradient(FloatTensor x) {
    return x;
  }

  // ---- matrix products ----

  @Override
  public FloatTensor linear(FloatTensor x, FloatTensor w) {
    requireRank(x, 2, "linear input");
    requireRank(w, 2, "linear weight");
    int n = x.size(0);
    int in = x.size(1);
    int out = w.size(0);
    if (w.size(1) != in) {
      throw new IllegalArgumentException("linear: input " + x + " does not match weight " + w + " ([out, in])");
    }
    float[] c = new float[n * out];
    gemm(x.data(), 0, w.transposedRows(), c, 0, n, in, out);
    return new FloatTensor(c, n, out);
  }

  @Override
  public FloatTensor matmul(FloatTensor a, FloatTensor b, boolean transposeB) {
    int ra = a.rank();
    int rb = b.rank();
    if (ra < 2 || rb < 2) {
      throw new IllegalArgumentException("matmul needs rank >= 2, got " + a + " and " + b);
    }
    int m = a.size(ra - 2);
    int k = a.size(ra - 1);
    int kb = transposeB ? b.size(rb - 1) : b.size(rb - 2);
    int n = transposeB ? b.size(rb - 2) : b.size(rb - 1);
    if (k != kb) {
      throw new IllegalArgumentException("matmul: inner sizes differ: " + a + " x " + b + (transposeB ? "^T" : ""));
    }
    int[] as = a.shapeRef();
    int[] bs = b.shapeRef();
    int batches = 1;
    for (int i = 0; i < ra - 2; i++) {
      batches *= as[i];
    }
    boolean sharedB = rb == 2;
    if (!sharedB) {
      if (ra != rb || !Arrays.equals(Arrays.copyOf(as, ra - 2), Arrays.copyOf(bs, rb - 2))) {
        throw new IllegalArgumentException("matmul: batch dims differ: " + a + " x " + b);
      }
    }
    int[] outShape = as.clone();
    outShape[ra - 1] = n;
    float[] c = new float[batches * m * n];
    float[] bd = b.data();
    float[][] rows = new float[k][n];
    for (int bi = 0; bi < batches; bi++) {
      int bOff = sharedB ? 0 : bi * n * k;
      if (bi == 0 || !sharedB) {
        // b as k rows of n, each its own array (see gemmRows)
        for (int p = 0; p < k; p++) {
          if (transposeB) {
            float[] row = rows[p];
            for (int j = 0; j < n; j++) {
              row[j] = bd[bOff + j * k + p];
            }
          } else {
            System.arraycopy(bd, bOff + p * n, rows[p], 0, n);
          }
        }
      }
      gemm(a.data(), bi * m * k, rows, c, bi * m * n, m, k, n);
    }
    return new FloatTensor(c, outShape);
  }

  /**
   * x [n, k] times a matrix given as its k rows of m values: [n, m]. For weights kept as rows outside a model
   * (an SAE's W_enc [d, m] and W_dec [m, d]); runs of four zero entries of x are skipped (sparse activations).
   */
  public static FloatTensor timesRows(FloatTensor x, float[][] rows) {
    requireRank(x, 2, "timesRows input");
    int n = x.size(0);
    int k = x.size(1);
    if (rows.length != k) {
      throw new IllegalArgumentException("timesRows: input " + x + " needs " + k + " rows, got " + rows.length);
    }
    int m = k == 0 ? 0 : rows[0].length;
    float[] c = new float[n * m];
    gemm(x.data(), 0, rows, c, 0, n, k, m);
    return new FloatTensor(c, n, m);
  }

  /** c[m, n] = a[m, k] b[k, n] (a, c row-major at offsets; b as rows); rows split over threads when large. */
  private static void gemm(float[] a, int aOff, float[][] b, float[] c, int cOff, int m, int k, int n) {
    long macs = (long) m * k * n;
    if (macs >= PARALLEL_MACS && m >= 8) {
      int chunks = Math.min(m, 4 * Runtime.getRuntime().availableProcessors());
      IntStream.range(0, chunks).parallel().forEach(ch -> {
        int from = (int) ((long) m * ch / chunks);
        int to = (int) ((long) m * (ch + 1) / chunks);
        gemmRows(a, aOff, b, c, cOff, from, to, k, n);
      });
    } else {
      gemmRows(a, aOff, b, c, cOff, 0, m, k, n);
    }
  }

  /**
   * Rows [from, to) of c = a b. The inner loop {@code acc[j] += a0 b0[j] + ... + a3 b3[j]} runs over arrays
   * that all start at index 0: Java 17's C2 vectorises it then, but not when the operands sit at different
   * offsets of flat arrays (measured on the dev machine: 20 vs 4 GFLOP per CPU-second at k 64, n 256).
   * Four k steps per sweep of the row halve the loads and stores of acc again (~1.8x at n 256), and two rows
   * per sweep share each load of b. Every row's sums are formed in the same order as one row alone, so the
   * pairing changes no bit of the result.
   */
  private static void gemmRows(float[] a, int aOff, float[][] b, float[] c, int cOff, int from, int to, int k, int n) {
    float[] acc0 = new float[n];
    float[] acc1 = new float[n];
    int i = from;
    for (; i + 1 < to; i += 2) {
      Arrays.fill(acc0, 0f);
      Arrays.fill(acc1, 0f);
      int r0 = aOff + i * k;
      int r1 = r0 + k;
      int p = 0;
      for (; p + 3 < k; p += 4) {
        float x0 = a[r0 + p];
        float x1 = a[r0 + p + 1];
        float x2 = a[r0 + p + 2];
        float x3 = a[r0 + p + 3];
        float y0 = a[r1 + p];
        float y1 = a[r1 + p + 1];
        float y2 = a[r1 + p + 2];
        float y3 = a[r1 + p + 3];
        if (x0 == 0f && x1 == 0f && x2 == 0f && x3 == 0f && y0 == 0f && y1 == 0f && y2 == 0f && y3 == 0f) {
          continue; // attention probabilities of masked keys (half of a causal pass) are exactly 0
        }
        float[] b0 = b[p];
        float[] b1 = b[p + 1];
        float[] b2 = b[p + 2];
        float[] b3 = b[p + 3];
        for (int j = 0; j < n; j++) {
          float v0 = b0[j];
          float v1 = b1[j];
          float v2 = b2[j];
          float v3 = b3[j];
          acc0[j] += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3;
          acc1[j] += y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3;
        }
      }
      for (; p < k; p++) {
        float x = a[r0 + p];
        float y = a[r1 + p];
        float[] bp = b[p];
        for (int j = 0; j < n; j++) {
          acc0[j] += x * bp[j];
          acc1[j] += y * bp[j];
        }
      }
      System.arraycopy(acc0, 0, c, cOff + i * n, n);
      System.arraycopy(acc1, 0, c, cOff + (i + 1) * n, n);
    }
    if (i < to) {
      Arrays.fill(acc0, 0f);
      int ai = aOff + i * k;
      int p = 0;
      for (; p + 3 < k; p += 4) {
        float a0 = a[ai + p];
        float a1 = a[ai + p + 1];
        float a2 = a[ai + p + 2];
        float a3 = a[ai + p + 3];
        if (a0 == 0f && a1 == 0f && a2 == 0f && a3 == 0f) {
          continue;
        }
        float[] b0 = b[p];
        float[] b1 = b[p + 1];
        float[] b2 = b[p + 2];
        float[] b3 = b[p + 3];
        for (int j = 0; j < n; j++) {
          acc0[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
      }
      for (; p < k; p++) {
        float av = a[ai + p];
        float[] bp = b[p];
        for (int j = 0; j < n; j++) {
          acc0[j] += av * bp[j];
        }
      }
      System.arraycopy(acc0, 0, c, cOff + i * n, n);
    }
  }

  // ---- elementwise with broadcasting ----

  private enum Binary {
    ADD, SUB, MUL, DIV
  }

  @Override
  public FloatTensor add(FloatTensor a, FloatTensor b) {
    return broadcast(Binary.ADD, a, b);
  }

  @Override
  public FloatTensor sub(FloatTensor a, FloatTensor b) {
    return broadcast(Binary.SUB, a, b);
  }

  @Override
  public FloatTensor mul(FloatTensor a, FloatTensor b) {
    return broadcast(Binary.MUL, a, b);
  }

  @Override
  public FloatTensor div(FloatTensor a, FloatTensor b) {
    return broadcast(Binary.DIV, a, b);
  }

  /**
   * numpy broadcasting: shapes aligned on the right, size-1 dims stretched. The output is walked row by
   * row (the last dim), each operand read with stride 1 or 0 (stretched) along it.
   */
  private static FloatTensor broadcast(Binary op, FloatTensor a, FloatTensor b) {
    int[] as = a.shapeRef();
    int[] bs = b.shapeRef();
    if (Arrays.equals(as, bs)) {
      float[] out = new float[a.length()];
      combine(op, a.data(), 0, 1, b.data(), 0, 1, out, 0, out.length);
      return new FloatTensor(out, as);
    }
    int rank = Math.max(as.length, bs.length);
    int[] shape = new int[rank];
    int[] sa = new int[rank];
    int[] sb = new int[rank];
    int strideA = 1;
    int strideB = 1;
    for (int i = rank - 1; i >= 0; i--) {
      int ia = i - (rank - as.length);
      int ib = i - (rank - bs.length);
      int da = ia >= 0 ? as[ia] : 1;
      int db = ib >= 0 ? bs[ib] : 1;
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "shapes " + Arrays.toString(as) + " and " + Arrays.toString(bs) + " do not broadcast");
      }
      shape[i] = da == 1 ? db : da;
      sa[i] = da == 1 ? 0 : strideA;
      sb[i] = db == 1 ? 0 : strideB;
      strideA *= da;
      strideB *= db;
    }
    int total = 1;
    for (int s : shape) {
      total *= s;
    }
    float[] out = new float[total];
    if (total == 0) {
      return new FloatTensor(out, shape);
    }
    int inner = rank == 0 ? 1 : shape[rank - 1];
    int incA = rank == 0 ? 0 : sa[rank - 1];
    int incB = rank == 0 ? 0 : sb[rank - 1];
    int[] idx = new int[Math.max(rank - 1, 0)];
    int offA = 0;
    int offB = 0;
    float[] ad = a.data();
    float[] bd = b.data();
    for (int o = 0; o < total; o += inner) {
      combine(op, ad, offA, incA, bd, offB, incB, out, o, inner);
      // odometer over the outer dims
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        offA += sa[d];
        offB += sb[d];
        if (idx[d] < shape[d]) {
          break;
        }
        offA -= sa[d] * shape[d];
        offB -= sb[d] * shape[d];
        idx[d] = 0;
      }
    }
    return new FloatTensor(out, shape);
  }

  /** out[o + j] = a[offA + j * incA] op b[offB + j * incB], j < len, increments 0 or 1. */
  private static void combine(
      Binary op, float[] a, int offA, int incA, float[] b, int offB, int incB, float[] out, int o, int len) {
    if (incA == 1 && incB == 1) {
      switch (op) {
        case ADD -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] + b[offB + j]; }
        case SUB -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] - b[offB + j]; }
        case MUL -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] * b[offB + j]; }
        case DIV -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] / b[offB + j]; }
      }
    } else if (incA == 1) {
      float bv = b[offB];
      switch (op) {
        case ADD -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] + bv; }
        case SUB -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] - bv; }
        case MUL -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] * bv; }
        case DIV -> { for (int j = 0; j < len; j++) out[o + j] = a[offA + j] / bv; }
      }
    } else if (incB == 1) {
      float av = a[offA];
      switch (op) {
        case ADD -> { for (int j = 0; j < len; j++) out[o + j] = av + b[offB + j]; }
        case SUB -> { for (int j = 0; j < len; j++) out[o + j] = av - b[offB + j]; }
        case MUL -> { for (int j = 0; j < len; j++) out[o + j] = av * b[offB + j]; }
        case DIV -> { for (int j = 0; j < len; j++) out[o + j] = av / b[offB + j]; }
      }
    } else {
      float av = a[offA];
      float bv = b[offB];
      float v = switch (op) {
        case ADD -> av + bv;
        case SUB -> av - bv;
        case MUL -> av * bv;
        case DIV -> av / bv;
      };
      Arrays.fill(out, o, o + len, v);
    }
  }

  @Override
  public FloatTensor mulScalar(FloatTensor a, double s) {
    float f = (float) s;
    float[] x = a.data();
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * f;
    }
    return new FloatTensor(out, a.shapeRef());
  }

  @Override
  public FloatTensor addScalar(FloatTensor a, double s) {
    float f = (float) s;
    float[] x = a.data();
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] + f;
    }
    return new FloatTensor(out, a.shapeRef());
  }

  // ---- elementwise functions ----

  /** Beyond this |x|, tanh is 1 in float32. */
  private static final float TANH_CLAMP = 7.90531110763549805f;

  /**
   * tanh in float32 as a rational function of x (Eigen's {@code ptanh_float} minimax coefficients), within
   * 4e-7 relative of Math.tanh on [-20, 20] and down to 1e-7. Branch-free, so C2 vectorises the loops that
   * call it: ~1 ns per element against ~26 ns through Math.exp (Java 17's Math.tanh is slower still).
   */
  static float tanh(float x) {
    float c = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, x));
    float x2 = c * c;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return p * c / q;
  }

  /**
   * e^x in float32 for x in [-88, 0] (softmax's max-shifted scores): Cephes' expf, x = n ln 2 + r with a
   * degree-5 polynomial in r and 2^n from the exponent bits: within 1 ulp of Math.exp on [-87, 0], and 0
   * below -88 and where the result would be subnormal (under ~1.2e-38, next to softmax's max term of 1).
   * Branch-free; Math.exp took ~26 ns per call, most of a small model's attention.
   */
  static float expNonPositive(float x) {
    // from -88 on, n is -127 and 2^n's bits are 0: the result is exactly 0 (true value below 1.2e-38)
    float c = Math.max(x, -88f);
    // n = floor(c log2(e) + 1/2), in [-127, 0]: truncation of a value shifted to be positive (no Math.floor)
    int n = (int) (c * 1.44269504088896341f + 127.5f) - 127;
    float fx = n;
    float r = c - fx * 0.693359375f + fx * 2.12194440e-4f;
    float z = r * r;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * z + r + 1f;
    return y * Float.intBitsToFloat((n + 127) << 23);
  }

  static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-(double) x)));
  }

  @Override
  public FloatTensor tanh(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = tanh(v[i]);
    }
    return new FloatTensor(out, x.shapeRef());
  }

  @Override
  public FloatTensor sigmoid(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = sigmoid(v[i]);
    }
    return new FloatTensor(out, x.shapeRef());
  }

  @Override
  public FloatTensor exp(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) Math.exp(v[i]);
    }
    return new FloatTensor(out, x.shapeRef());
  }

  @Override
  public FloatTensor log(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) Math.log(v[i]);
    }
    return new FloatTensor(out, x.shapeRef());
  }

  @Override
  public FloatTensor rsqrt(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (1.0 / Math.sqrt(v[i]));
    }
    return new FloatTensor(out, x.shapeRef());
  }

  @Override
  public FloatTensor square(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * v[i];
    }
    return new FloatTensor(out, x.shapeRef());
  }

  // fused composites: one pass over the data instead of five or six. (For x < -3, GELU's 1 + tanh cancels:
  // float32 leaves ~1e-3 relative error there, ~1e-6 absolute, in ND4J as here.)

  @Override
  public FloatTensor geluTanh(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    float c = (float) Math.sqrt(2.0 / Math.PI);
    for (int i = 0; i < v.length; i++) {
      float a = v[i];
      out[i] = a * 0.5f * (1f + tanh((a + a * a * a * 0.044715f) * c));
    }
    return new FloatTensor(out, x.shapeRef());
  }

  @Override
  public FloatTensor silu(FloatTensor x) {
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * sigmoid(v[i]);
    }
    return new FloatTensor(out, x.shapeRef());
  }

  @Override
  public FloatTensor softcap(FloatTensor x, double cap) {
    float[] v = x.data();
    float[] out = new float[v.length];
    float inv = (float) (1.0 / cap);
    float c = (float) cap;
    for (int i = 0; i < v.length; i++) {
      out[i] = tanh(v[i] * inv) * c;
    }
    return new FloatTensor(out, x.shapeRef());
  }

  /**
   * Fused attention: for each query only the keys its mask leaves visible (causal, unpadded, in the window)
   * are scored, with the same float steps as the unfused ops (scale, soft-cap, mask, max-shifted exp), and
   * the values are summed in place. The unfused form computed every score, four [.., S, T] intermediates
   * and two matrix products with short rows; in a small model's pass it took about half of the tensor time.
   * A query that sees no key at all (a padding slot) is scored over every key, as the unfused form does.
   */
  @Override
  public FloatTensor attention(FloatTensor q, FloatTensor k, FloatTensor v, FloatTensor mask, long b, long kv,
      long g, long s, long t, double scaling, OptionalDouble logitSoftcap) {
    int bb = Math.toIntExact(b);
    int kvh = Math.toIntExact(kv);
    int gg = Math.toIntExact(g);
    int ss = Math.toIntExact(s);
    int tt = Math.toIntExact(t);
    requireRank(q, 4, "attention queries");
    int hd = q.size(3);
    if (q.size(0) != bb || q.size(1) != kvh || q.size(2) != gg * ss || k.size(2) != tt || k.size(3) != hd
        || v.size(2) != tt || v.size(3) != hd || mask.data().length != bb * ss * tt) {
      throw new IllegalArgumentException("attention: shapes " + q + ", " + k + ", " + v + ", mask " + mask
          + " do not fit B " + b + " KV " + kv + " G " + g + " S " + s + " T " + t);
    }
    float[] qd = q.data();
    float[] kd = k.data();
    float[] vd = v.data();
    float[] md = mask.data();
    float[] out = new float[qd.length];
    float scale = (float) scaling;
    boolean capped = logitSoftcap.isPresent();
    float inv = capped ? (float) (1.0 / logitSoftcap.getAsDouble()) : 0f;
    float cap = capped ? (float) logitSoftcap.getAsDouble() : 0f;
    float[] p = new float[tt];
    // C2 vectorises loops over arrays indexed from 0, not over offsets into flat arrays (see gemmRows): the
    // head's keys transposed (scores accumulate over key rows), its values as rows, one accumulator
    float[][] kT = new float[hd][tt];
    float[][] vRows = new float[tt][hd];
    float[] acc = new float[hd];
    float[] maskRow = new float[tt];
    for (int bi = 0; bi < bb; bi++) {
      for (int h = 0; h < kvh; h++) {
        int ko = (bi * kvh + h) * tt * hd;
        for (int j = 0; j < tt; j++) {
          for (int x = 0; x < hd; x++) {
            kT[x][j] = kd[ko + j * hd + x];
          }
          System.arraycopy(vd, ko + j * hd, vRows[j], 0, hd);
        }
        for (int gi = 0; gi < gg; gi++) {
          for (int si = 0; si < ss; si++) {
            int qo = (((bi * kvh + h) * gg + gi) * ss + si) * hd;
            int mo = (bi * ss + si) * tt;
            // the visible keys' span (causal, unpadded and windowed keys are contiguous; masked keys inside
            // it are still skipped); a query that sees no key is scored over all of them
            int lo = 0;
            while (lo < tt && md[mo + lo] <= MASK_SKIP) {
              lo++;
            }
            int hi = tt;
            while (hi > lo && md[mo + hi - 1] <= MASK_SKIP) {
              hi--;
            }
            if (lo == tt) {
              lo = 0;
              hi = tt;
            }
            Arrays.fill(p, lo, hi, 0f);
            for (int x = 0; x < hd; x++) {
              float qx = qd[qo + x];
              float[] kx = kT[x];
              for (int j = lo; j < hi; j++) {
                p[j] += qx * kx[j];
              }
            }
            System.arraycopy(md, mo, maskRow, 0, tt);
            if (capped) {
              for (int j = lo; j < hi; j++) {
                p[j] = tanh(p[j] * scale * inv) * cap + maskRow[j];
              }
            } else {
              for (int j = lo; j < hi; j++) {
                p[j] = p[j] * scale + maskRow[j];
              }
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = lo; j < hi; j++) {
              max = Math.max(max, p[j]);
            }
            for (int j = lo; j < hi; j++) {
              p[j] = expNonPositive(p[j] - max); // masked keys in the span: 0
            }
            float sum = 0f;
            for (int j = lo; j < hi; j++) {
              sum += p[j];
            }
            // weighted values, four keys per sweep of the accumulator (as in gemmRows)
            Arrays.fill(acc, 0f);
            int j = lo;
            for (; j + 3 < hi; j += 4) {
              float w0 = p[j] / sum;
              float w1 = p[j + 1] / sum;
              float w2 = p[j + 2] / sum;
              float w3 = p[j + 3] / sum;
              float[] v0 = vRows[j];
              float[] v1 = vRows[j + 1];
              float[] v2 = vRows[j + 2];
              float[] v3 = vRows[j + 3];
              for (int x = 0; x < hd; x++) {
                acc[x] += w0 * v0[x] + w1 * v1[x] + w2 * v2[x] + w3 * v3[x];
              }
            }
            for (; j < hi; j++) {
              float w = p[j] / sum;
              float[] vj = vRows[j];
              for (int x = 0; x < hd; x++) {
                acc[x] += w * vj[x];
              }
            }
            System.arraycopy(acc, 0, out, qo, hd);
          }
        }
      }
    }
    return new FloatTensor(out, q.shapeRef());
  }

  /** RMSNorm in one pass per row with the same float steps as the composition (no [N, d] intermediates). */
  @Override
  public FloatTensor rmsNorm(FloatTensor x, FloatTensor weight, double eps, double offset) {
    requireRank(x, 2, "rmsNorm input");
    int n = x.size(0);
    int d = x.size(1);
    float[] w = weight.data();
    if (w.length != d) {
      throw new IllegalArgumentException("rmsNorm: weight " + weight + " does not match " + x);
    }
    float[] scale = new float[d];
    float off = (float) offset;
    for (int j = 0; j < d; j++) {
      scale[j] = offset == 0 ? w[j] : w[j] + off;
    }
    float e = (float) eps;
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int i = 0; i < n; i++) {
      int base = i * d;
      float acc = 0f;
      for (int j = 0; j < d; j++) {
        float sq = v[base + j] * v[base + j];
        acc = acc + sq;
      }
      float inv = (float) (1.0 / Math.sqrt(acc / d + e));
      for (int j = 0; j < d; j++) {
        out[base + j] = v[base + j] * inv * scale[j];
      }
    }
    return new FloatTensor(out, x.shapeRef());
  }

  /** Rotary embedding with rotate_half written out: no [hd, hd] product, no intermediates. */
  @Override
  public FloatTensor rotary(FloatTensor x, long rows, long numHeads, int hd, FloatTensor cos, FloatTensor sin,
      FloatTensor rotateHalf) {
    requireRank(x, 3, "rotary input");
    int n = x.size(0);
    int heads = x.size(1);
    if (n != rows || heads != numHeads || x.size(2) != hd) {
      throw new IllegalArgumentException("rotary: " + x + " is not [" + rows + ", " + numHeads + ", " + hd + "]");
    }
    int half = hd / 2;
    float[] xd = x.data();
    float[] c = cos.data();
    float[] sn = sin.data();
    if (hd % 2 != 0 || c.length != n * hd || sn.length != n * hd) {
      throw new IllegalArgumentException("rotary: " + x + " with cos " + cos + " and sin " + sin);
    }
    float[] out = new float[xd.length];
    for (int i = 0; i < n; i++) {
      int t = i * hd;
      for (int h = 0; h < heads; h++) {
        int o = (i * heads + h) * hd;
        for (int j = 0; j < half; j++) {
          out[o + j] = xd[o + j] * c[t + j] + -xd[o + j + half] * sn[t + j];
        }
        for (int j = half; j < hd; j++) {
          out[o + j] = xd[o + j] * c[t + j] + xd[o + j - half] * sn[t + j];
        }
      }
    }
    return new FloatTensor(out, x.shapeRef());
  }

  /** Mask values at or below this are masked keys (the mask holds 0 or {@link Transformer#MASKED}). */
  private static final float MASK_SKIP = Transformer.MASKED / 2;

  @Override
  public FloatTensor softmax(FloatTensor x, int dim) {
    if (dim != x.rank() - 1) {
      return TensorOps.super.softmax(x, dim);
    }
    // over the last dim: per row max, exp of the difference, normalise
    int len = x.size(dim);
    float[] v = x.data();
    float[] out = new float[v.length];
    for (int o = 0; o < v.length; o += len) {
      float m = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < len; j++) {
        m = Math.max(m, v[o + j]);
      }
      float sum = 0;
      for (int j = 0; j < len; j++) {
        float d = v[o + j] - m;
        float e = expNonPositive(d); // masked keys: 0
        out[o + j] = e;
        sum += e;
      }
      for (int j = 0; j < len; j++) {
        out[o + j] /= sum;
      }
    }
    return new FloatTensor(out, x.shapeRef());
  }

  // ---- reductions (keep the reduced dim as size 1) ----

  /** The sum over {@code dim}, divided by its size (the same float division a fused loop would do). */
  @Override
  public FloatTensor mean(FloatTensor x, int dim) {
    FloatTensor sum = reduce(x, dim, false);
    int n = x.size(dim);
    float[] v = sum.data(); // a fresh array: this op owns it
    for (int i = 0; i < v.length; i++) {
      v[i] /= n;
    }
    return sum;
  }

  @Override
  public FloatTensor sum(FloatTensor x, int dim) {
    return reduce(x, dim, false);
  }

  @Override
  public FloatTensor max(FloatTensor x, int dim) {
    return reduce(x, dim, true);
  }

  /** The sum (or with {@code max} the maximum) over {@code dim}, kept as size 1. */
  private static FloatTensor reduce(FloatTensor x, int dim, boolean max) {
    int[] s = x.shapeRef();
    if (dim < 0 || dim >= s.length) {
      throw new IllegalArgumentException("reduction dim " + dim + " out of range for " + x);
    }
    int outer = 1;
    for (int i = 0; i < dim; i++) {
      outer *= s[i];
    }
    int inner = 1;
    for (int i = dim + 1; i < s.length; i++) {
      inner *= s[i];
    }
    int n = s[dim];
    float[] v = x.data();
    float[] out = new float[outer * inner];
    if (inner == 1) {
      // over the last dim (RMSNorm's mean of squares, softmax's max and sum): one value per row
      for (int o = 0; o < outer; o++) {
        int base = o * n;
        float acc = max ? Float.NEGATIVE_INFINITY : 0f;
        for (int k = 0; k < n; k++) {
          acc = max ? Math.max(acc, v[base + k]) : acc + v[base + k];
        }
        out[o] = acc;
      }
      int[] shape = s.clone();
      shape[dim] = 1;
      return new FloatTensor(out, shape);
    }
    for (int o = 0; o < outer; o++) {
      int base = o * n * inner;
      int ob = o * inner;
      if (max) {
        Arrays.fill(out, ob, ob + inner, Float.NEGATIVE_INFINITY);
        for (int k = 0; k < n; k++) {
          int row = base + k * inner;
          for (int j = 0; j < inner; j++) {
            out[ob + j] = Math.max(out[ob + j], v[row + j]);
          }
        }
      } else {
        for (int k = 0; k < n; k++) {
          int row = base + k * inner;
          for (int j = 0; j < inner; j++) {
            out[ob + j] += v[row + j];
          }
        }
      }
    }
    int[] shape = s.clone();
    shape[dim] = 1;
    return new FloatTensor(out, shape);
  }

  @Override
  public FloatTensor sumAll(FloatTensor x) {
    double sum = 0;
    for (float f : x.data()) {
      sum += f;
    }
    return new FloatTensor(new float[] {(float) sum});
  }

  // ---- layout ----

  @Override
  public FloatTensor reshape(FloatTensor x, long... shape) {
    int[] out = new int[shape.length];
    int infer = -1;
    long known = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(shape));
        }
        infer = i;
      } else {
        out[i] = Math.toIntExact(shape[i]);
        known *= shape[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || x.length() % known != 0) {
        throw new IllegalArgumentException("reshape: cannot infer -1 of " + Arrays.toString(shape) + " for " + x);
      }
      out[infer] = (int) (x.length() / known);
      known *= out[infer];
    }
    if (known != x.length()) {
      throw new IllegalArgumentException("reshape: " + x + " cannot become " + Arrays.toString(shape));
    }
    return x.view(out);
  }

  @Override
  public FloatTensor permute(FloatTensor x, int... dims) {
    int[] s = x.shapeRef();
    int rank = s.length;
    if (dims.length != rank) {
      throw new IllegalArgumentException("permute " + Arrays.toString(dims) + " of rank-" + rank + " " + x);
    }
    int[] strides = new int[rank];
    int st = 1;
    for (int i = rank - 1; i >= 0; i--) {
      strides[i] = st;
      st *= s[i];
    }
    int[] shape = new int[rank];
    int[] src = new int[rank]; // source stride of each output dim
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      if (dims[i] < 0 || dims[i] >= rank || seen[dims[i]]) {
        throw new IllegalArgumentException("permute: " + Arrays.toString(dims) + " is not a permutation");
      }
      seen[dims[i]] = true;
      shape[i] = s[dims[i]];
      src[i] = strides[dims[i]];
    }
    float[] v = x.data();
    float[] out = new float[v.length];
    if (out.length == 0 || rank == 0) {
      System.arraycopy(v, 0, out, 0, v.length);
      return new FloatTensor(out, shape);
    }
    int inner = shape[rank - 1];
    int inc = src[rank - 1];
    int[] idx = new int[rank - 1];
    int off = 0;
    for (int o = 0; o < out.length; o += inner) {
      if (inc == 1) {
        System.arraycopy(v, off, out, o, inner);
      } else {
        for (int j = 0, p = off; j < inner; j++, p += inc) {
          out[o + j] = v[p];
        }
      }
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        off += src[d];
        if (idx[d] < shape[d]) {
          break;
        }
        off -= src[d] * shape[d];
        idx[d] = 0;
      }
    }
    return new FloatTensor(out, shape);
  }

  @Override
  public FloatTensor gatherRows(FloatTensor table, int[] ids) {
    requireRank(table, 2, "gatherRows table");
    int rows = table.size(0);
    int d = table.size(1);
    float[] v = table.data();
    float[] out = new float[ids.length * d];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= rows) {
        throw new IllegalArgumentException("gatherRows: row " + ids[i] + " outside [0, " + rows + ")");
      }
      System.arraycopy(v, ids[i] * d, out, i * d, d);
    }
    return new FloatTensor(out, ids.length, d);
  }

  @Override
  public FloatTensor concat(int dim, FloatTensor a, FloatTensor b) {
    int[] as = a.shapeRef();
    int[] bs = b.shapeRef();
    if (as.length != bs.length || dim < 0 || dim >= as.length) {
      throw new IllegalArgumentException("concat along " + dim + " of " + a + " and " + b);
    }
    for (int i = 0; i < as.length; i++) {
      if (i != dim && as[i] != bs[i]) {
        throw new IllegalArgumentException("concat along " + dim + ": " + a + " and " + b + " differ in dim " + i);
      }
    }
    int outer = 1;
    for (int i = 0; i < dim; i++) {
      outer *= as[i];
    }
    int inner = 1;
    for (int i = dim + 1; i < as.length; i++) {
      inner *= as[i];
    }
    int ca = as[dim] * inner;
    int cb = bs[dim] * inner;
    float[] out = new float[outer * (ca + cb)];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(a.data(), o * ca, out, o * (ca + cb), ca);
      System.arraycopy(b.data(), o * cb, out, o * (ca + cb) + ca, cb);
    }
    int[] shape = as.clone();
    shape[dim] = as[dim] + bs[dim];
    return new FloatTensor(out, shape);
  }

  private static void requireRank(FloatTensor x, int rank, String what) {
    if (x.rank() != rank) {
      throw new IllegalArgumentException(what + " must have rank " + rank + ", got " + x);
    }
  }
}
