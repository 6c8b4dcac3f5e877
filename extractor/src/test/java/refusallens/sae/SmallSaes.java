package refusallens.sae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.io.SafetensorsWriter;

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
    try {
      Files.createDirectories(dir);
      try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(dir.resolve("params.npz")))) {
        npy(z, "W_enc", w.wEnc());
        npy(z, "W_dec", w.wDec());
        npy(z, "b_enc", w.bEnc());
        npy(z, "b_dec", w.bDec());
        npy(z, "threshold", w.threshold());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static void npy(java.util.zip.ZipOutputStream z, String name, INDArray a) throws IOException {
    StringBuilder shape = new StringBuilder("(");
    for (long s : a.shape()) {
      shape.append(s).append(", ");
    }
    shape.append(")");
    StringBuilder h = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
    while ((10 + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    float[] v = a.dup('c').data().asFloat();
    var b = java.nio.ByteBuffer.allocate(10 + h.length() + 4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length());
    b.put(h.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    for (float f : v) {
      b.putFloat(f);
    }
    z.putNextEntry(new java.util.zip.ZipEntry(name + ".npy"));
    z.write(b.array());
    z.closeEntry();
  }

  /** SAELens cfg.json text. */
  static String saeLensCfg(String arch, int d, int m, String hook, boolean applyBDec, String extra) {
    return "{\"architecture\": \"" + arch + "\", \"d_in\": " + d + ", \"d_sae\": " + m + ", \"hook_name\": \"" + hook
        + "\", \"apply_b_dec_to_input\": " + applyBDec + ", \"normalize_activations\": \"none\"" + extra + "}";
  }
}
