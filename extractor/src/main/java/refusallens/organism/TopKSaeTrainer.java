package refusallens.organism;

import java.util.Objects;
import java.util.function.LongConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.core.sae.TopKSae;

/**
 * Trains a TopK sparse autoencoder (Gao et al. 2024) on residual-stream activations.
 *
 * <p>Encode: {@code acts = topk(relu((x - b_dec) W_enc + b_enc))}; decode: {@code acts W_dec + b_dec};
 * loss: mean squared reconstruction error. The gradient is written out by hand (the model is two matrix
 * products and a mask, so a graph framework would only add overhead), with Adam, unit-norm decoder rows
 * (renormalised after every step) and the AuxK loss of dead latents that keeps the dead fraction low.
 */
public final class TopKSaeTrainer {

  /** Training options; validated on construction. */
  public record Options(
      int dSae, int k, int steps, int batchSize, double learningRate, int auxK, long seed) {
    public Options {
      if (dSae <= 0 || k <= 0 || k > dSae) {
        throw new IllegalArgumentException("SAE needs 0 < k <= dSae, got k=" + k + " dSae=" + dSae);
      }
      if (steps <= 0 || batchSize <= 0 || learningRate <= 0) {
        throw new IllegalArgumentException("steps, batchSize and learningRate must be positive");
      }
      if (auxK < 0) {
        throw new IllegalArgumentException("auxK must be >= 0");
      }
    }
  }

  /** The trained weights: W_enc [d, m], b_enc [m], W_dec [m, d], b_dec [d], and the TopK k. */
  public record Weights(INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec, int k) {}

  /** Training metrics on the data it was trained on. */
  public record Report(double fvu, double meanL0, double deadFraction, double finalLoss) {}

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPS = 1e-8;
  /** A latent that has not fired for this many tokens counts as dead for the AuxK loss. */
  private static final long DEAD_AFTER_TOKENS = 20_000;

  private final Options options;

  public TopKSaeTrainer(Options options) {
    this.options = Objects.requireNonNull(options);
  }

  /**
   * Trains on {@code x} [n, d] (float32); {@code progress} receives the step number after each step.
   */
  public Weights train(INDArray x, LongConsumer progress) {
    long n = x.size(0);
    int d = (int) x.size(1);
    int m = options.dSae();
    Nd4j.getRandom().setSeed(options.seed());
    // Init as in Gao et al.: decoder rows unit norm, encoder = decoder transpose, b_dec = data mean.
    INDArray wDec = Nd4j.randn(DataType.FLOAT, m, d);
    normaliseRows(wDec);
    INDArray wEnc = wDec.transpose().dup();
    INDArray bEnc = Nd4j.zeros(DataType.FLOAT, 1, m);
    INDArray bDec = x.mean(0).reshape(1, d);
    Adam aWEnc = new Adam(wEnc), aBEnc = new Adam(bEnc), aWDec = new Adam(wDec), aBDec = new Adam(bDec);
    long[] lastFired = new long[m];
    long tokensSeen = 0;
    java.util.Random rng = new java.util.Random(options.seed());
    for (int step = 1; step <= options.steps(); step++) {
      INDArray batch = sampleRows(x, n, options.batchSize(), rng);
      int b = (int) batch.size(0);
      tokensSeen += b;
      // Forward.
      INDArray centred = batch.subRowVector(bDec); // [b, d]
      INDArray pre = centred.mmul(wEnc).addiRowVector(bEnc); // [b, m]
      INDArray mask = topKMask(pre, options.k()); // [b, m] 1 where kept and > 0
      INDArray acts = pre.mul(mask);
      INDArray recon = acts.mmul(wDec).addiRowVector(bDec); // [b, d]
      INDArray err = recon.sub(batch); // [b, d]
      // d(mean over rows of squared error summed over d) / d recon
      INDArray dRecon = err.mul(2.0 / b);
      // AuxK: dead latents reconstruct the residual error (Gao et al. §A.2).
      INDArray fired = mask.sum(0);
      for (int j = 0; j < m; j++) {
        if (fired.getDouble(j) > 0) {
          lastFired[j] = tokensSeen;
        }
      }
      INDArray dPre = dRecon.mmul(wDec.transpose()).muli(mask); // [b, m]
      INDArray gWDec = acts.transpose().mmul(dRecon); // [m, d]
      if (options.auxK() > 0) {
        INDArray deadMask = Nd4j.zeros(DataType.FLOAT, 1, m);
        int dead = 0;
        for (int j = 0; j < m; j++) {
          if (tokensSeen - lastFired[j] > DEAD_AFTER_TOKENS) {
            deadMask.putScalar(j, 1.0);
            dead++;
          }
        }
        if (dead > 0) {
          INDArray deadPre = pre.add(deadMask.sub(1.0).muli(1e9).broadcast(pre.shape()));
          INDArray auxMask = topKMask(deadPre, Math.min(options.auxK(), dead));
          INDArray auxActs = pre.mul(auxMask);
          INDArray auxRecon = auxActs.mmul(wDec);
          INDArray residual = batch.sub(recon); // what the live latents missed
          INDArray auxErr = auxRecon.sub(residual);
          // Scale 1/32 as in the paper's AuxK coefficient.
          INDArray dAux = auxErr.mul(2.0 / b / 32.0);
          dPre.addi(dAux.mmul(wDec.transpose()).muli(auxMask));
          gWDec.addi(auxActs.transpose().mmul(dAux));
        }
      }
      INDArray gWEnc = centred.transpose().mmul(dPre); // [d, m]
      INDArray gBEnc = dPre.sum(true, 0);
      INDArray gBDec = dRecon.sum(true, 0).subi(dPre.mmul(wEnc.transpose()).sum(true, 0));
      // Drop the decoder-gradient component parallel to each (unit) row: it only changes the norm.
      INDArray parallel = gWDec.mul(wDec).sum(true, 1);
      gWDec.subi(wDec.mulColumnVector(parallel));
      double lr = learningRate(step);
      aWEnc.step(wEnc, gWEnc, lr, step);
      aBEnc.step(bEnc, gBEnc, lr, step);
      aWDec.step(wDec, gWDec, lr, step);
      aBDec.step(bDec, gBDec, lr, step);
      normaliseRows(wDec);
      progress.accept(step);
      if (step % RELEASE_EVERY_STEPS == 0) {
        // ND4J frees a step's off-heap temporaries only when their Java objects are collected, and the small
        // Java heap rarely triggers that: a 3000-step run grew past 17 GB resident without this.
        System.gc();
      }
    }
    return new Weights(wEnc, bEnc.reshape(m), wDec, bDec.reshape(d), options.k());
  }

  /** Steps between forced collections (each step leaves about 10 MB off-heap at k=32, 512 latents). */
  static final int RELEASE_EVERY_STEPS = 50;

  /** Constant, then linear decay to zero over the last fifth of training (lower final loss than a constant rate). */
  double learningRate(int step) {
    int decayFrom = options.steps() - options.steps() / 5;
    if (step <= decayFrom) {
      return options.learningRate();
    }
    return options.learningRate() * (options.steps() - step + 1) / (double) (options.steps() - decayFrom + 1);
  }

  /** Fraction of variance unexplained, mean L0 and dead fraction of {@code w} on {@code x}. */
  public static Report evaluate(Weights w, INDArray x) {
    INDArray acts = encode(w, x);
    INDArray recon = acts.mmul(w.wDec()).addiRowVector(w.bDec().reshape(1, -1));
    INDArray err = recon.sub(x);
    double sse = err.mul(err).sumNumber().doubleValue();
    INDArray centred = x.subRowVector(x.mean(0).reshape(1, -1));
    double sst = centred.mul(centred).sumNumber().doubleValue();
    INDArray active = acts.gt(0).castTo(DataType.FLOAT);
    double meanL0 = active.sumNumber().doubleValue() / x.size(0);
    INDArray firedPerFeature = active.sum(0);
    long dead = 0;
    for (long j = 0; j < firedPerFeature.length(); j++) {
      if (firedPerFeature.getDouble(j) == 0) {
        dead++;
      }
    }
    return new Report(
        sse / sst, meanL0, (double) dead / firedPerFeature.length(), sse / x.size(0));
  }

  /** TopK encoding of {@code x} [n, d] -> [n, m]. */
  public static INDArray encode(Weights w, INDArray x) {
    INDArray pre = x.subRowVector(w.bDec().reshape(1, -1)).mmul(w.wEnc())
        .addiRowVector(w.bEnc().reshape(1, -1));
    return pre.muli(topKMask(pre, w.k()));
  }

  /**
   * 1 where the entry is among its row's k largest and positive, else 0: the selection of {@link
   * TopKSae#keepTopK} (ties to the lower index), the one inference uses.
   */
  static INDArray topKMask(INDArray pre, int k) {
    int rows = (int) pre.size(0);
    int cols = (int) pre.size(1);
    float[] kept = pre.dup('c').data().asFloat();
    TopKSae.keepTopK(kept, rows, cols, Math.min(k, cols));
    for (int i = 0; i < kept.length; i++) {
      kept[i] = kept[i] > 0 ? 1f : 0f;
    }
    return Nd4j.create(kept, new long[] {rows, cols}, 'c');
  }

  private static INDArray sampleRows(INDArray x, long n, int batch, java.util.Random rng) {
    long[] idx = new long[(int) Math.min(batch, n)];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = (long) (rng.nextDouble() * n);
    }
    return x.getRows(java.util.Arrays.stream(idx).mapToInt(l -> (int) l).toArray());
  }

  private static void normaliseRows(INDArray w) {
    INDArray norms = w.norm2(1).reshape(-1, 1).addi(1e-12);
    w.diviColumnVector(norms);
  }

  /** Adam moments for one parameter. */
  private static final class Adam {
    private final INDArray m;
    private final INDArray v;

    Adam(INDArray param) {
      m = Nd4j.zerosLike(param);
      v = Nd4j.zerosLike(param);
    }

    void step(INDArray param, INDArray grad, double lr, int t) {
      m.muli(BETA1).addi(grad.mul(1 - BETA1));
      v.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
      double mHat = 1 - Math.pow(BETA1, t);
      double vHat = 1 - Math.pow(BETA2, t);
      INDArray update = m.div(mHat).divi(Transforms.sqrt(v.div(vHat)).addi(EPS)).muli(lr);
      param.subi(update);
    }
  }
}
