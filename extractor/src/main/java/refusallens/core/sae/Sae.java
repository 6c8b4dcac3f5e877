package refusallens.core.sae;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;
import refusallens.core.model.ops.EagerOps;
import refusallens.core.model.ops.PlainJavaOps;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.model.HookName;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A sparse autoencoder on one hook point: acts = f(x' @ W_enc + b_enc) with x' = x - b_dec when
 * {@code apply_b_dec_to_input}, else x; recon = acts @ W_dec + b_dec. Weights are float32, immutable, and
 * safe to share between threads; f is the subclass's activation. Encode and decode run on ND4J arrays or, for
 * the plain-Java backend of small models, on {@link FloatTensor}s (weights copied to the heap on first use).
 */
public abstract sealed class Sae permits ReluSae, JumpReluSae, TopKSae {
  private final SaeConfig config;
  protected final INDArray wEnc; // [d_in, d_sae]
  protected final INDArray bEnc; // [d_sae]
  protected final INDArray wDec; // [d_sae, d_in]
  protected final INDArray bDec; // [d_in]
  /** Heap copies of the weights for the {@link FloatTensor} path, made on its first use. */
  private volatile PlainWeights plain;

  /** The weights as rows for {@link PlainJavaOps#timesRows}: W_enc [d_in][d_sae], W_dec [d_sae][d_in]. */
  private record PlainWeights(float[][] wEnc, float[] bEnc, float[][] wDec, float[] bDec) {}

  Sae(SaeConfig config, INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec) {
    this.config = config;
    int d = config.dIn();
    int m = config.dSae();
    requireShape(config, "W_enc", wEnc, d, m);
    requireShape(config, "b_enc", bEnc, m);
    requireShape(config, "W_dec", wDec, m, d);
    requireShape(config, "b_dec", bDec, d);
    this.wEnc = wEnc;
    this.bEnc = bEnc;
    this.wDec = wDec;
    this.bDec = bDec;
  }

  static void requireShape(SaeConfig cfg, String name, INDArray a, long... shape) {
    if (a.dataType() != DataType.FLOAT || !Arrays.equals(a.shape(), shape)) {
      throw new SaeException(
          cfg.source()
              + ": "
              + name
              + " is "
              + a.dataType()
              + Arrays.toString(a.shape())
              + ", expected FLOAT"
              + Arrays.toString(shape));
    }
  }

  /** Loads the SAE in {@code dir}, detecting its layout (SAELens preferred where several are present). */
  public static Sae load(Path dir) {
    return load(dir, SaeLayout.detect(dir), OptionalInt.empty());
  }

  /** Loads the SAE in {@code dir} in {@code layout}; {@code layer}, if given, must match (or supply) its hook. */
  public static Sae load(Path dir, SaeLayout layout, OptionalInt layer) {
    return load(readConfig(dir, layout, layer));
  }

  /** Reads the config of the SAE in {@code dir} (JSON and tensor headers only, no weights). */
  public static SaeConfig readConfig(Path dir, SaeLayout layout, OptionalInt layer) {
    if (!layout.matches(dir)) {
      throw new SaeException(dir + ": not a " + layout + " SAE directory (expected " + layout.files() + ")");
    }
    return layout.loader().readConfig(dir, layer);
  }

  /** Loads the weights of the SAE {@code config} describes. */
  public static Sae load(SaeConfig config) {
    return config.layout().loader().load(config);
  }

  /**
   * Builds the SAE of {@code config}'s architecture from freshly loaded arrays (modified in place), folding
   * the input scale s: W_enc * s, W_dec / s, b_dec / s, threshold * s. {@code threshold} [d_sae] is used by
   * JumpReLU only.
   */
  static Sae of(SaeConfig config, INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec, INDArray threshold) {
    double s = config.inputScale();
    if (s != 1.0) {
      wEnc.muli(s);
      wDec.divi(s);
      bDec.divi(s);
      if (threshold != null) {
        threshold.muli(s);
      }
    }
    return switch (config.architecture()) {
      case STANDARD -> new ReluSae(config, wEnc, bEnc, wDec, bDec);
      case JUMPRELU -> new JumpReluSae(config, wEnc, bEnc, wDec, bDec, threshold);
      case TOPK -> new TopKSae(config, wEnc, bEnc, wDec, bDec, config.topK().getAsInt());
    };
  }

  /** Where the SAE came from and its shape. */
  public SaeConfig config() {
    return config;
  }

  /** The architecture. */
  public SaeArchitecture architecture() {
    return config.architecture();
  }

  /** The hook point, e.g. {@code blocks.12.hook_resid_post}. */
  public HookName hook() {
    return config.hook();
  }

  /** The hook name as TransformerLens writes it. */
  public String hookName() {
    return config.hookName();
  }

  /** The layer of the hook. */
  public int layer() {
    return config.layer();
  }

  public int dIn() {
    return config.dIn();
  }

  public int dSae() {
    return config.dSae();
  }

  /** W_enc [d_in, d_sae] (do not modify). */
  public INDArray wEnc() {
    return wEnc;
  }

  /** b_enc [d_sae] (do not modify). */
  public INDArray bEnc() {
    return bEnc;
  }

  /** W_dec [d_sae, d_in] (do not modify). */
  public INDArray wDec() {
    return wDec;
  }

  /** b_dec [d_in] (do not modify). */
  public INDArray bDec() {
    return bDec;
  }

  /** Feature activations [n, d_sae] of inputs x [n, d_in]. */
  public INDArray encode(INDArray x) {
    INDArray pre = preActivations(x, null); // [n, d_sae]
    return activate(pre, null);
  }

  /**
   * Activations [n, features.length] of the given features only (columns in {@code features} order); equal
   * to {@code encode(x)} restricted to those columns, cheaper where the activation is elementwise.
   */
  public INDArray encodeFeatures(INDArray x, int[] features) {
    checkFeatures(features);
    INDArray pre = preActivations(x, features); // [n, k]
    return activate(pre, features);
  }

  /** Feature activations [n, d_sae] of inputs x [n, d_in], in plain Java (no ND4J on the way). */
  public FloatTensor encode(FloatTensor x) {
    if (x.rank() != 2 || x.size(1) != config.dIn()) {
      throw new IllegalArgumentException(
          "SAE at " + hookName() + " encodes [n, " + config.dIn() + "], got " + Arrays.toString(x.shape()));
    }
    PlainWeights w = plainWeights();
    int n = x.size(0);
    int d = config.dIn();
    FloatTensor in = x;
    if (config.applyBDecToInput()) {
      float[] centred = x.data().clone(); // x' = x - b_dec
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < d; j++) {
          centred[r * d + j] -= w.bDec()[j];
        }
      }
      in = new FloatTensor(centred, n, d);
    }
    FloatTensor pre = PlainJavaOps.timesRows(in, w.wEnc()); // [n, d_sae], a fresh array
    addRowVector(pre.data(), w.bEnc());
    activate(pre.data(), n);
    return pre;
  }

  /** Reconstruction [n, d_in] of activations [n, d_sae], in plain Java (zero activations cost nothing). */
  public FloatTensor decode(FloatTensor acts) {
    if (acts.rank() != 2 || acts.size(1) != config.dSae()) {
      throw new IllegalArgumentException(
          "SAE at " + hookName() + " decodes [n, " + config.dSae() + "], got " + Arrays.toString(acts.shape()));
    }
    PlainWeights w = plainWeights();
    FloatTensor recon = PlainJavaOps.timesRows(acts, w.wDec()); // [n, d_in], a fresh array
    addRowVector(recon.data(), w.bDec());
    return recon;
  }

  /**
   * Activations [n, features.length] of the given features only, in plain Java: {@link #encode(FloatTensor)}
   * restricted to those columns (a TopK activation needs every pre-activation, so the whole row is encoded).
   */
  public FloatTensor encodeFeatures(FloatTensor x, int[] features) {
    checkFeatures(features);
    FloatTensor all = encode(x);
    int n = all.size(0);
    int m = config.dSae();
    float[] out = new float[n * features.length];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < features.length; j++) {
        out[r * features.length + j] = all.data()[r * m + features[j]];
      }
    }
    return new FloatTensor(out, n, features.length);
  }

  /** Decoder row of feature {@code i} [d_in] as a new heap array (plain-Java twin of {@link #decoderRow}). */
  public float[] decoderRowValues(int i) {
    checkFeatures(new int[] {i});
    return plainWeights().wDec()[i].clone();
  }

  /** v [rows, b.length] += b in every row. */
  private static void addRowVector(float[] v, float[] b) {
    for (int o = 0; o < v.length; o += b.length) {
      for (int j = 0; j < b.length; j++) {
        v[o + j] += b[j];
      }
    }
  }

  private PlainWeights plainWeights() {
    PlainWeights w = plain;
    if (w == null) {
      synchronized (this) {
        w = plain;
        if (w == null) {
          w = new PlainWeights(rows(wEnc), FloatTensor.of(bEnc).data(), rows(wDec), FloatTensor.of(bDec).data());
          plain = w;
        }
      }
    }
    return w;
  }

  /** A rank-2 array [r, c] as r heap arrays of c values. */
  private static float[][] rows(INDArray a) {
    float[] flat = FloatTensor.of(a).data();
    int r = (int) a.size(0);
    int c = (int) a.size(1);
    float[][] out = new float[r][];
    for (int i = 0; i < r; i++) {
      out[i] = Arrays.copyOfRange(flat, i * c, (i + 1) * c);
    }
    return out;
  }

  /** Reconstruction [n, d_in] of activations [n, d_sae]. */
  public INDArray decode(INDArray acts) {
    if (acts.rank() != 2 || acts.size(1) != config.dSae()) {
      throw new IllegalArgumentException(
          "SAE at " + hookName() + " decodes [n, " + config.dSae() + "], got " + Arrays.toString(acts.shape()));
    }
    return acts.castTo(DataType.FLOAT).mmul(wDec).addiRowVector(bDec); // [n, d_in]
  }

  /** Decoder row of feature {@code i} [d_in] (a copy), the direction the feature writes. */
  public INDArray decoderRow(int i) {
    checkFeatures(new int[] {i});
    return wDec.getRow(i).dup();
  }

  /** Decoder rows of {@code features} [k, d_in] (a copy). */
  public INDArray decoderRows(int[] features) {
    checkFeatures(features);
    return wDec.getRows(features);
  }

  /**
   * Columns {@code columns} of the 2-D {@code x} as a new [rows, columns.length] array. A plain-Java gather:
   * ND4J's {@code getColumns} goes through {@code pullRows}, which cost about 5 ms per call on the organism's
   * [30, 512] activations (a quarter of a one-prompt classification). Only the selected elements are read: a
   * copy of the whole array first cost a 16k-wide GemmaScope encoder (151 MB) twice per clamped row and
   * generation step, two thirds of a clamped generation at the gemma-2-2b shape.
   */
  public static INDArray selectColumns(INDArray x, int[] columns) {
    if (x.rank() != 2 || x.dataType() != DataType.FLOAT) {
      return x.getColumns(columns);
    }
    INDArray c = EagerOps.contiguous(x); // x itself unless a view or not c-ordered
    org.nd4j.linalg.api.buffer.DataBuffer data = c.data();
    int rows = (int) c.size(0);
    int width = (int) c.size(1);
    float[] out = new float[rows * columns.length];
    for (int r = 0; r < rows; r++) {
      long from = (long) r * width;
      int to = r * columns.length;
      for (int j = 0; j < columns.length; j++) {
        out[to + j] = data.getFloat(from + columns[j]);
      }
    }
    return Nd4j.create(out, new long[] {rows, columns.length}, 'c');
  }

  /**
   * Pre-activations [n, k] of the selected features (all when {@code features} is null): x' @ W_enc + b_enc.
   */
  protected INDArray preActivations(INDArray x, int[] features) {
    if (x.rank() != 2 || x.size(1) != config.dIn()) {
      throw new IllegalArgumentException(
          "SAE at " + hookName() + " encodes [n, " + config.dIn() + "], got " + Arrays.toString(x.shape()));
    }
    INDArray in = x.castTo(DataType.FLOAT);
    if (config.applyBDecToInput()) {
      in = in.subRowVector(bDec); // x' = x - b_dec
    }
    if (features == null) {
      return in.mmul(wEnc).addiRowVector(bEnc);
    }
    INDArray w = selectColumns(wEnc, features); // [d_in, k]
    INDArray b = Nd4j.createFromArray(select(bEnc, features)); // [k]
    return in.mmul(w).addiRowVector(b);
  }

  /** Applies the activation in place to pre [n, k] of {@code features} (all when null) and returns it. */
  protected abstract INDArray activate(INDArray pre, int[] features);

  /** Applies the activation in place to pre [rows, d_sae] (row-major), on the plain-Java path. */
  abstract void activate(float[] pre, int rows);

  static float[] select(INDArray v, int[] idx) {
    float[] out = new float[idx.length];
    for (int j = 0; j < idx.length; j++) {
      out[j] = v.getFloat(idx[j]);
    }
    return out;
  }

  private void checkFeatures(int[] features) {
    for (int f : features) {
      if (f < 0 || f >= config.dSae()) {
        throw new IllegalArgumentException(
            "feature " + f + " out of range for the SAE at " + hookName() + " (d_sae " + config.dSae() + ")");
      }
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + hookName() + ", " + dIn() + " -> " + dSae() + ", " + config.source() + "]";
  }
}
