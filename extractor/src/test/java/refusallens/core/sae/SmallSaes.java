package refusallens.core.sae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.dev.NpzWriter;
import refusallens.core.io.SafetensorsWriter;

/** Writes small random SAEs in the real on-disk layouts, for tests. */
final class SmallSaes {
  private SmallSaes() {}

  /** Random weights of one SAE, in SAELens orientation (W_enc [d, m], W_dec [m, d]). */
  record Weights(INDArray wEnc, INDArray bEnc, INDArray wDec, INDArray bDec, INDArray threshold) {
    static Weights random(int d, int m, long seed) {
      Random r = new Random(seed);
      return new Weights(
          gauss(r, 1.0 / Math.sqrt(d), d, m), gauss(r, 0.1, m), gauss(r, 1.0 / Math.sqrt(m), m, d), gauss(r, 0.1, d),
          uniform(r, 0.05, 0.4, m));
    }
  }

  static INDArray gauss(Random r, double sd, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * sd);
    }
    return Nd4j.create(v, shape, 'c');
  }

  static INDArray uniform(Random r, double lo, double hi, long... shape) {
    INDArray a = gauss(r, 1, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, lo + (hi - lo) * r.nextDouble());
    }
    return a;
  }

  static void write(Path p, String text) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A SAELens directory with {@code cfgJson} and the weights (threshold only if {@code withThreshold}). */
  static Path saeLens(Path dir, String cfgJson, Weights w, boolean withThreshold) {
    write(dir.resolve("cfg.json"), cfgJson);
    SafetensorsWriter sw =
        new SafetensorsWriter().putF32("W_enc", w.wEnc()).putF32("b_enc", w.bEnc()).putF32("W_dec", w.wDec()).putF32("b_dec", w.bDec());
    if (withThreshold) {
      sw.putF32("threshold", w.threshold());
    }
    sw.write(dir.resolve("sae_weights.safetensors"));
    return dir;
  }

  /** A LlamaScope directory (encoder.weight [m, d], decoder.weight [d, m]) with {@code hyperparamsJson}. */
  static Path llamaScope(Path dir, String hyperparamsJson, Weights w) {
    write(dir.resolve("hyperparams.json"), hyperparamsJson);
    new SafetensorsWriter()
        .putF32("encoder.weight", w.wEnc().transpose())
        .putF32("encoder.bias", w.bEnc())
        .putF32("decoder.weight", w.wDec().transpose())
        .putF32("decoder.bias", w.bDec())
        .write(dir.resolve("checkpoints/final.safetensors"));
    return dir;
  }

  /** A GemmaScope directory {@code dir} holding params.npz written with numpy's layout. */
  static Path gemmaScope(Path dir, Weights w) {
    new NpzWriter().putF32("W_enc", w.wEnc()).putF32("W_dec", w.wDec()).putF32("b_enc", w.bEnc()).putF32("b_dec", w.bDec())
        .putF32("threshold", w.threshold()).write(dir.resolve("params.npz"));
    return dir;
  }

  /** SAELens cfg.json text. */
  static String saeLensCfg(String arch, int d, int m, String hook, boolean applyBDec, String extra) {
    return "{\"architecture\": \"" + arch + "\", \"d_in\": " + d + ", \"d_sae\": " + m + ", \"hook_name\": \"" + hook
        + "\", \"apply_b_dec_to_input\": " + applyBDec + ", \"normalize_activations\": \"none\"" + extra + "}";
  }
}
