package refusallens.refusal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.io.SharedFixtures;
import refusallens.core.model.Transformer;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/** The shared gemma2 fixture (random tiny model, JumpReLU SAE at layer 2) for discovery tests, loaded once. */
final class RefusalFixture {
  private static final Map<String, Transformer> MODELS = new ConcurrentHashMap<>();

  private RefusalFixture() {}

  static Path modelDir() {
    return SharedFixtures.arch("gemma2").resolve("model");
  }

  static Path saeDir() {
    return SharedFixtures.arch("gemma2").resolve("sae");
  }

  static Transformer model() {
    return MODELS.computeIfAbsent("gemma2", k -> Transformer.open(modelDir()));
  }

  static Tokenizer tokenizer() {
    return Tokenizer.load(modelDir());
  }

  /** The fixture's SAE set (layer 2 only). */
  static SaeSet saes() {
    return SaeSet.open(List.of(new SaeSet.Source(saeDir(), OptionalInt.empty())), 64, 4, SaeSet.Options.defaults());
  }

  /** The fixture's SAE plus a random ReLU SAE at layer 1 written under {@code tmp}: two layers spliced at once. */
  static SaeSet twoLayerSaes(Path tmp) {
    Path dir = tmp.resolve("relu_l1");
    int d = 64;
    int m = 128;
    Random r = new Random(11);
    try {
      java.nio.file.Files.createDirectories(dir);
      java.nio.file.Files.writeString(dir.resolve("cfg.json"), "{\"architecture\": \"standard\", \"d_in\": " + d
          + ", \"d_sae\": " + m + ", \"hook_name\": \"blocks.1.hook_resid_post\", \"apply_b_dec_to_input\": false,"
          + " \"normalize_activations\": \"none\"}");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    new SafetensorsWriter()
        .putF32("W_enc", gauss(r, 1.0 / Math.sqrt(d), d, m))
        .putF32("b_enc", gauss(r, 0.05, m))
        .putF32("W_dec", gauss(r, 1.0 / Math.sqrt(m), m, d))
        .putF32("b_dec", gauss(r, 0.05, d))
        .write(dir.resolve("sae_weights.safetensors"));
    return SaeSet.open(List.of(new SaeSet.Source(saeDir(), OptionalInt.empty()), new SaeSet.Source(dir, OptionalInt.empty())),
        d, 4, SaeSet.Options.defaults());
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
    return Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
  }
}
