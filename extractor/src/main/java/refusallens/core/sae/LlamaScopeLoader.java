package refusallens.core.sae;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.model.HookName;

/**
 * LlamaScope layout: {@code hyperparams.json} (d_model, d_sae, hook_point_in, act_fn jumprelu | topk,
 * jump_relu_threshold, top_k, norm_activation, dataset_average_activation_norm) and
 * {@code checkpoints/final.safetensors} (encoder.weight [m, d], encoder.bias, decoder.weight [d, m],
 * decoder.bias). With {@code norm_activation: dataset-wise}, s = sqrt(d_model) / norm_in is folded into the
 * weights as current SAELens does: W_enc * s, W_dec / s, b_dec / s and the threshold * s.
 */
public final class LlamaScopeLoader implements SaeLoader {
  public static final String CONFIG = "hyperparams.json";
  public static final String WEIGHTS = "checkpoints/final.safetensors";

  @Override
  public SaeConfig readConfig(Path dir, OptionalInt layer) {
    ConfigJson cfg = ConfigJson.read(dir.resolve(CONFIG));
    Path file = cfg.file();
    int dIn = cfg.requiredInt("d_model");
    int dSae =
        cfg.optionalInt("d_sae")
            .orElseGet(
                () ->
                    dIn
                        * cfg.optionalInt("expansion_factor")
                            .orElseThrow(() -> cfg.missing("d_sae", "an integer, or expansion_factor")));
    String hookText = cfg.requiredText("hook_point_in");
    cfg.optionalText("hook_point_out")
        .filter(out -> !out.equals(hookText))
        .ifPresent(
            out -> {
              throw new SaeException(
                  file + ": hook_point_out " + out + " differs from hook_point_in " + hookText + " (a transcoder is not an SAE)");
            });
    HookName hook = SaeLoader.parseHook(file, hookText);
    SaeLoader.checkLayer(file, hook, layer);
    String act = cfg.requiredText("act_fn");
    SaeArchitecture arch =
        switch (act) {
          case "jumprelu" -> SaeArchitecture.JUMPRELU;
          case "topk" -> SaeArchitecture.TOPK;
          case "relu" -> SaeArchitecture.STANDARD;
          default -> throw new SaeException(file + ": act_fn '" + act + "' is not supported (jumprelu, topk, relu)");
        };
    if (arch == SaeArchitecture.JUMPRELU) {
      cfg.requiredDouble("jump_relu_threshold");
    }
    OptionalInt k = arch == SaeArchitecture.TOPK ? OptionalInt.of(cfg.requiredInt("top_k")) : OptionalInt.empty();
    String norm = cfg.optionalText("norm_activation").orElse("none");
    double scale =
        switch (norm) {
          case "dataset-wise" -> {
            double normIn =
                cfg.optionalObject("dataset_average_activation_norm")
                    .orElseThrow(() -> cfg.missing("dataset_average_activation_norm", "an object with 'in'"))
                    .requiredDouble("in");
            if (!(normIn > 0)) {
              throw new SaeException(file + ": dataset_average_activation_norm.in must be positive, got " + normIn);
            }
            yield Math.sqrt(dIn) / normIn;
          }
          case "none" -> 1.0;
          default -> throw new SaeException(
              file + ": norm_activation '" + norm + "' is not supported (dataset-wise, none)");
        };
    SaeConfig out = new SaeConfig(dir, SaeLayout.LLAMA_SCOPE, arch, hook, dIn, dSae, false, k, scale);
    try (SafetensorsFile w = SafetensorsFile.open(dir.resolve(WEIGHTS))) {
      w.requireShape("encoder.weight", dSae, dIn);
      w.requireShape("encoder.bias", dSae);
      w.requireShape("decoder.weight", dIn, dSae);
      w.requireShape("decoder.bias", dIn);
    }
    return out;
  }

  @Override
  public Sae load(SaeConfig c) {
    INDArray threshold = null;
    if (c.architecture() == SaeArchitecture.JUMPRELU) {
      double t = ConfigJson.read(c.source().resolve(CONFIG)).requiredDouble("jump_relu_threshold");
      threshold = Nd4j.valueArrayOf(new long[] {c.dSae()}, (float) t); // one scalar for all features
    }
    try (SafetensorsFile w = SafetensorsFile.open(c.source().resolve(WEIGHTS))) {
      return Sae.of(
          c,
          w.getFloat("encoder.weight", c.dSae(), c.dIn()).transpose().dup('c'),
          w.getFloat("encoder.bias", c.dSae()),
          w.getFloat("decoder.weight", c.dIn(), c.dSae()).transpose().dup('c'),
          w.getFloat("decoder.bias", c.dIn()),
          threshold);
    }
  }
}
