package refusallens.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.dev.NpzWriter;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.model.HookName;
import refusallens.core.sae.GemmaScopeLoader;
import refusallens.core.sae.LlamaScopeLoader;

/**
 * Writes random JumpReLU SAEs at real shapes in the on-disk layouts of the released SAEs (GemmaScope's
 * {@code layer_L/width_16k/average_l0_N/params.npz}, LlamaScope's {@code hyperparams.json} +
 * {@code checkpoints/final.safetensors}), for rehearsing the real-model recipes offline.
 *
 * <p>Decoder rows are random unit vectors (as GemmaScope's are unit-norm) and the encoder is the decoder's
 * transpose, biases zero. The threshold is chosen so that on an activation whose components have root mean
 * square {@code activationRms} about {@code averageL0} features fire: a unit encoder column gives a
 * pre-activation of about N(0, rms^2), so t = rms * z with P(N(0,1) > z) = L0 / d_sae (GemmaScope: per
 * feature, jittered by up to +/-10 %; LlamaScope: one scalar).
 * The same arguments and seed give the same files.
 */
public final class SyntheticSaes {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SyntheticSaes() {}

  /** What to write for one layer. */
  public record Spec(int layer, int dIn, int dSae, double activationRms, int averageL0, long seed) {
    public Spec {
      if (layer < 0 || dIn <= 0 || dSae <= 0) {
        throw new IllegalArgumentException("SAE layer, d_in and d_sae must be positive, got " + layer + ", " + dIn + ", " + dSae);
      }
      if (!(activationRms > 0) || averageL0 <= 0 || averageL0 >= dSae) {
        throw new IllegalArgumentException(
            "SAE activation rms must be positive and 0 < average L0 < d_sae, got " + activationRms + ", " + averageL0);
      }
    }

    /** The z of the threshold: P(N(0,1) > z) = L0 / d_sae. */
    double z() {
      return new NormalDistribution(0, 1).inverseCumulativeProbability(1 - (double) averageL0 / dSae);
    }
  }

  /**
   * GemmaScope's width folder name: {@code width_16k} for 16384 (thousands, rounded down, as the releases name
   * 16k, 32k, 65k, 131k ...), {@code width_1m} from 2^20, the plain number below 1000.
   */
  public static String gemmaScopeWidth(int dSae) {
    if (dSae >= 1 << 20) {
      return "width_" + (dSae >> 20) + "m";
    }
    return dSae >= 1000 ? "width_" + dSae / 1000 + "k" : "width_" + dSae;
  }

  /**
   * Writes {@code root/layer_L/width_W/average_l0_N/params.npz} (W_enc [d, m], W_dec [m, d], b_enc [m], b_dec [d],
   * threshold [m], float32, as the GemmaScope release) and returns the SAE directory.
   */
  public static Path writeGemmaScope(Path root, Spec s) {
    Path dir = root.resolve("layer_" + s.layer()).resolve(gemmaScopeWidth(s.dSae())).resolve("average_l0_" + s.averageL0());
    INDArray wDec = unitRows(s); // [m, d]
    Nd4j.getRandom().setSeed(s.seed() * 31 + 7);
    // per-feature thresholds: rms * z, jittered by up to +/-10 % so features differ
    INDArray threshold = Nd4j.rand(DataType.FLOAT, s.dSae()).subi(0.5).muli(0.2).addi(1).muli(s.activationRms() * s.z());
    new NpzWriter()
        .putF32("W_enc", wDec.transpose().dup('c'))
        .putF32("W_dec", wDec)
        .putF32("b_enc", Nd4j.zeros(DataType.FLOAT, s.dSae()))
        .putF32("b_dec", Nd4j.zeros(DataType.FLOAT, s.dIn()))
        .putF32("threshold", threshold)
        .write(dir.resolve(GemmaScopeLoader.PARAMS));
    return dir;
  }

  /**
   * Writes {@code root/NAME/{hyperparams.json, checkpoints/final.safetensors}} with NAME
   * {@code PREFIX-L{L}R-{d_sae/d_in}x} (the fnlp Llama Scope naming, e.g. {@code Llama3_1-8B-Base-L12R-8x}):
   * encoder.weight [m, d], encoder.bias [m], decoder.weight [d, m], decoder.bias [d] (float32), act_fn jumprelu
   * with one jump_relu_threshold, norm_activation dataset-wise; returns the SAE directory.
   */
  public static Path writeLlamaScope(Path root, String prefix, Spec s) {
    String expansion = s.dSae() % s.dIn() == 0 ? String.valueOf(s.dSae() / s.dIn())
        : String.format(Locale.ROOT, "%.2f", (double) s.dSae() / s.dIn());
    Path dir = root.resolve(prefix + "-L" + s.layer() + "R-" + expansion + "x");
    INDArray u = unitRows(s); // [m, d]
    // dataset-wise normalisation with norm_in = sqrt(d): the scale sqrt(d) / norm_in is 1, so the threshold means
    // the same whether a reader compares it before or after folding the scale into the weights
    double normIn = Math.sqrt(s.dIn());
    ObjectNode h = JSON.createObjectNode();
    h.put("d_model", s.dIn());
    h.put("d_sae", s.dSae());
    if (s.dSae() % s.dIn() == 0) {
      h.put("expansion_factor", s.dSae() / s.dIn());
    }
    String hook = HookName.residPost(s.layer()).toString();
    h.put("hook_point_in", hook);
    h.put("hook_point_out", hook);
    h.put("use_decoder_bias", true);
    h.put("apply_decoder_bias_to_pre_encoder", false);
    h.put("act_fn", "jumprelu");
    h.put("jump_relu_threshold", s.z() * s.activationRms());
    h.put("top_k", s.averageL0());
    h.put("norm_activation", "dataset-wise");
    ObjectNode norm = h.putObject("dataset_average_activation_norm");
    norm.put("in", normIn);
    norm.put("out", normIn);
    h.put("sparsity_include_decoder_norm", true);
    new SafetensorsWriter()
        .putF32("encoder.weight", u)
        .putF32("encoder.bias", Nd4j.zeros(DataType.FLOAT, s.dSae()))
        .putF32("decoder.weight", u.transpose())
        .putF32("decoder.bias", Nd4j.zeros(DataType.FLOAT, s.dIn()))
        .write(dir.resolve(LlamaScopeLoader.WEIGHTS));
    try {
      Files.writeString(dir.resolve(LlamaScopeLoader.CONFIG), JSON.writeValueAsString(h) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve(LlamaScopeLoader.CONFIG) + ": " + e.getMessage(), e);
    }
    return dir;
  }

  /** [d_sae, d_in] random rows of unit norm, seeded by the spec's seed and layer. */
  private static INDArray unitRows(Spec s) {
    Nd4j.getRandom().setSeed(s.seed() * 1_000_003L + s.layer());
    INDArray u = Nd4j.randn(DataType.FLOAT, s.dSae(), s.dIn());
    u.diviColumnVector(u.norm2(1).reshape(s.dSae(), 1));
    return u;
  }
}
