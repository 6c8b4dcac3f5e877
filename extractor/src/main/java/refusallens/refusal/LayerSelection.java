package refusallens.refusal;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.intervention.DirectionAblation;
import refusallens.model.HookName;
import refusallens.model.Hooks;
import refusallens.model.Transformer;
import refusallens.progress.Progress;

/**
 * Chooses the refusal direction's layer by validation, as Arditi et al.'s select_direction: for each
 * candidate layer, ablate its difference-in-means direction at every layer and position and measure the
 * refusal score on harmful prompts (lower is better) and the KL divergence of harmless prompts' next-token
 * distributions (must stay small); adding the direction at its layer to harmless prompts should raise
 * their refusal score. Layers in the last {@code pruneFraction} of the model are not eligible.
 */
public final class LayerSelection {
  private LayerSelection() {}

  /** Selection settings; {@code layer} forces the choice (every candidate is still scored). */
  public record Options(double maxKl, double pruneFraction, OptionalInt layer) {
    public Options {
      if (!(maxKl > 0)) {
        throw new IllegalArgumentException("maxKl must be > 0, got " + maxKl);
      }
      if (!(pruneFraction >= 0 && pruneFraction < 1)) {
        throw new IllegalArgumentException("pruneFraction must be in [0, 1), got " + pruneFraction);
      }
    }

    /** Arditi et al.'s defaults: KL at most 0.1, the last 20% of layers pruned. */
    public static Options defaults() {
      return new Options(0.1, 0.2, OptionalInt.empty());
    }

    public Options withLayer(OptionalInt l) {
      return new Options(maxKl, pruneFraction, l);
    }
  }

  /**
   * One candidate's scores: the direction's norm, the mean refusal score of harmful prompts with it ablated,
   * the mean KL of harmless prompts with it ablated, the mean refusal score of harmless prompts with it
   * added at its layer, and why it is not eligible (null when it is).
   */
  @JsonPropertyOrder({"layer", "norm", "ablationRefusalScore", "harmlessKl", "steeringRefusalScore", "excludedBecause"})
  public record LayerScore(
      int layer, double norm, double ablationRefusalScore, double harmlessKl, double steeringRefusalScore,
      String excludedBecause) {}

  /** The chosen layer, how it was chosen, the baselines (no intervention) and every candidate's scores. */
  @JsonPropertyOrder({"layer", "selectedBy", "baselineHarmfulRefusalScore", "baselineHarmlessRefusalScore", "candidates"})
  public record Result(
      int layer, String selectedBy, double baselineHarmfulRefusalScore, double baselineHarmlessRefusalScore,
      List<LayerScore> candidates) {
    public Result {
      candidates = List.copyOf(candidates);
    }
  }

  /** Scores every layer's direction of {@code directions} [layers, d] and picks one. */
  public static Result select(
      Transformer model,
      INDArray directions,
      List<int[]> harmfulVal,
      List<int[]> harmlessVal,
      int[] refusalTokens,
      Options options,
      int batchSize,
      Progress progress) {
    int layers = model.config().numLayers();
    if (options.layer().isPresent() && (options.layer().getAsInt() < 0 || options.layer().getAsInt() >= layers)) {
      throw new IllegalArgumentException("--layer " + options.layer().getAsInt() + " is outside the model's layers 0.." + (layers - 1));
    }
    int eligibleBelow = Math.max(1, (int) (layers * (1.0 - options.pruneFraction())));
    progress.start("layer selection", (long) (layers + 1) * (2L * harmlessVal.size() + harmfulVal.size()));
    INDArray harmfulBase = PromptRuns.lastLogits(model, harmfulVal, Hooks.none(), batchSize, progress);
    INDArray harmlessBase = PromptRuns.lastLogits(model, harmlessVal, Hooks.none(), batchSize, progress);
    progress.step(harmlessVal.size());
    double baseHarmful = RefusalScores.mean(RefusalScores.refusalScore(harmfulBase, refusalTokens));
    double baseHarmless = RefusalScores.mean(RefusalScores.refusalScore(harmlessBase, refusalTokens));

    List<LayerScore> scores = new ArrayList<>();
    for (int layer = 0; layer < layers; layer++) {
      INDArray dir = directions.getRow(layer).dup();
      double norm = dir.norm2Number().doubleValue();
      if (!(norm > 0)) {
        scores.add(new LayerScore(layer, norm, Double.NaN, Double.NaN, Double.NaN, "zero direction"));
        progress.step(2L * harmlessVal.size() + harmfulVal.size());
        continue;
      }
      Hooks<INDArray> ablate = DirectionAblation.of(dir).everyLayer(layers);
      double refusal = RefusalScores.mean(RefusalScores.refusalScore(
          PromptRuns.lastLogits(model, harmfulVal, ablate, batchSize, progress), refusalTokens));
      INDArray harmlessAblated = PromptRuns.lastLogits(model, harmlessVal, ablate, batchSize, progress);
      double kl = RefusalScores.mean(RefusalScores.kl(harmlessBase, harmlessAblated));
      Hooks<INDArray> add = Hooks.of(HookName.residPost(layer), (x, n, c) -> x.add(dir.reshape(1, 1, dir.length())));
      double steering = RefusalScores.mean(RefusalScores.refusalScore(
          PromptRuns.lastLogits(model, harmlessVal, add, batchSize, progress), refusalTokens));
      String excluded = null;
      if (layer >= eligibleBelow) {
        excluded = "in the last " + Math.round(options.pruneFraction() * 100) + "% of layers";
      } else if (kl > options.maxKl()) {
        excluded = "harmless KL above " + options.maxKl();
      } else if (!(steering > baseHarmless)) {
        excluded = "adding it does not raise harmless refusal";
      }
      scores.add(new LayerScore(layer, norm, refusal, kl, steering, excluded));
    }
    progress.finish();

    if (options.layer().isPresent()) {
      return new Result(options.layer().getAsInt(), "--layer", baseHarmful, baseHarmless, scores);
    }
    LayerScore best = null;
    for (LayerScore s : scores) {
      if (s.excludedBecause() == null && (best == null || s.ablationRefusalScore() < best.ablationRefusalScore())) {
        best = s;
      }
    }
    String how = "validation";
    if (best == null) {
      // Nothing passes every filter (a tiny or random model): fall back to the lowest refusal score
      // among the unpruned layers, and say so.
      how = "validation (no candidate passed the KL/steering filters; lowest ablation refusal score)";
      for (LayerScore s : scores) {
        if (s.layer() < eligibleBelow && !Double.isNaN(s.ablationRefusalScore())
            && (best == null || s.ablationRefusalScore() < best.ablationRefusalScore())) {
          best = s;
        }
      }
      progress.log("no refusal-direction candidate passed the KL/steering filters; took layer "
          + (best == null ? "?" : best.layer()) + " (lowest ablation refusal score)");
    }
    if (best == null) {
      throw new IllegalArgumentException("no layer has a non-zero refusal direction (are harmful and harmless prompts identical?)");
    }
    return new Result(best.layer(), how, baseHarmful, baseHarmless, scores);
  }
}
