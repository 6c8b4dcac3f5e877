package refusallens.refusal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.intervention.DirectionAblation;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;

/**
 * Chooses the refusal direction among the (position, layer) candidates as Arditi et al.'s select_direction:
 * for each candidate, ablate it at every layer and position and measure the refusal score of harmful prompts
 * (lower is better), the KL divergence of harmless prompts' next-token distributions (at most {@code maxKl}), and
 * the refusal score of harmless prompts with it added at its layer (at least {@code induceRefusalThreshold}, an
 * absolute threshold); candidates in the last {@code pruneFraction} of the layers are not eligible. The eligible
 * candidate with the lowest ablation refusal score wins. Where none is eligible (Arditi's code stops there) or a
 * layer is forced, the result says so: {@code fallback} true with the reason.
 */
public final class LayerSelection {
  private LayerSelection() {}

  /** Selection settings; {@code layer} forces the layer (every candidate is still scored, the result is a fallback). */
  public record Options(double maxKl, double induceRefusalThreshold, double pruneFraction, OptionalInt layer) {
    public Options {
      if (!(maxKl > 0)) {
        throw new IllegalArgumentException("maxKl must be > 0, got " + maxKl);
      }
      if (!Double.isFinite(induceRefusalThreshold)) {
        throw new IllegalArgumentException("induceRefusalThreshold must be finite, got " + induceRefusalThreshold);
      }
      if (!(pruneFraction >= 0 && pruneFraction < 1)) {
        throw new IllegalArgumentException("pruneFraction must be in [0, 1), got " + pruneFraction);
      }
    }

    /** Arditi et al.'s defaults: KL at most 0.1, induced refusal score at least 0, the last 20% of layers pruned. */
    public static Options defaults() {
      return new Options(0.1, 0.0, 0.2, OptionalInt.empty());
    }

    public Options withLayer(OptionalInt l) {
      return new Options(maxKl, induceRefusalThreshold, pruneFraction, l);
    }

    /** Layers at or above this are pruned: Arditi's int(n_layer * (1 - prune_layer_percentage)). */
    int eligibleBelow(int layers) {
      return (int) (layers * (1.0 - pruneFraction));
    }
  }

  /**
   * One candidate's scores: its position (offset from the prompt's end, -1 the last token; null for the mean
   * over the post-instruction tokens) and layer, the direction's norm, the mean refusal score of harmful prompts
   * with it ablated, the mean KL of harmless prompts with it ablated, the mean refusal score of harmless prompts
   * with it added at its layer, and why it is not eligible (null when it is).
   */
  @JsonPropertyOrder({"position", "layer", "norm", "ablationRefusalScore", "harmlessKl", "steeringRefusalScore",
      "excludedBecause"})
  public record LayerScore(
      Integer position, int layer, double norm, double ablationRefusalScore, double harmlessKl,
      double steeringRefusalScore, String excludedBecause) {}

  /**
   * The chosen candidate (layer and position), how it was chosen, whether that was a fallback rather than
   * Arditi's rule and why, the baselines (no intervention) and every candidate's scores.
   */
  @JsonPropertyOrder({"layer", "position", "selectedBy", "fallback", "reason", "baselineHarmfulRefusalScore",
      "baselineHarmlessRefusalScore", "candidates"})
  public record Result(
      int layer, Integer position, String selectedBy, boolean fallback,
      @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
      double baselineHarmfulRefusalScore, double baselineHarmlessRefusalScore, List<LayerScore> candidates) {
    public Result {
      candidates = candidates == null ? List.of() : List.copyOf(candidates);
      if (fallback && (reason == null || reason.isBlank())) {
        throw new IllegalArgumentException("refusalDirection.selection: a fallback needs its reason");
      }
    }
  }

  /** The chosen candidate of {@link #choose}. */
  public record Choice(LayerScore candidate, boolean fallback, String reason) {}

  /**
   * Scores every candidate of {@code directions} [positions, layers, d] ({@code offsets} names the positions)
   * with the refusal tokens {@code refusal} and picks one.
   */
  public static Result select(
      Transformer model,
      INDArray directions,
      List<Integer> offsets,
      List<int[]> harmfulVal,
      List<int[]> harmlessVal,
      RefusalTokens refusal,
      Options options,
      int batchSize,
      Progress progress) {
    int layers = model.config().shape().numLayers();
    if (options.layer().isPresent() && (options.layer().getAsInt() < 0 || options.layer().getAsInt() >= layers)) {
      throw new IllegalArgumentException("--layer " + options.layer().getAsInt() + " is outside the model's layers 0.." + (layers - 1));
    }
    if (directions.rank() != 3 || directions.size(0) != offsets.size() || directions.size(1) != layers) {
      throw new IllegalArgumentException("candidate directions must be [" + offsets.size() + ", " + layers + ", d], got "
          + java.util.Arrays.toString(directions.shape()));
    }
    long perCandidate = 2L * harmlessVal.size() + harmfulVal.size();
    progress.start("direction selection", (long) offsets.size() * layers * perCandidate + harmfulVal.size() + harmlessVal.size());
    INDArray harmfulBase = PromptRuns.lastLogits(model, harmfulVal, Hooks.none(), batchSize, progress);
    INDArray harmlessBase = PromptRuns.lastLogits(model, harmlessVal, Hooks.none(), batchSize, progress);
    double baseHarmful = RefusalScores.mean(refusal.score(harmfulBase));
    double baseHarmless = RefusalScores.mean(refusal.score(harmlessBase));

    List<LayerScore> scores = new ArrayList<>();
    for (int p = 0; p < offsets.size(); p++) {
      for (int layer = 0; layer < layers; layer++) {
        INDArray dir = directions.get(NDArrayIndex.point(p), NDArrayIndex.point(layer), NDArrayIndex.all()).dup(); // [d]
        double norm = dir.norm2Number().doubleValue();
        if (!(norm > 0)) {
          scores.add(new LayerScore(offsets.get(p), layer, norm, Double.NaN, Double.NaN, Double.NaN, "zero direction"));
          progress.step(perCandidate);
          continue;
        }
        Hooks<INDArray> ablate = DirectionAblation.of(dir).everyLayer(layers);
        double ablated = RefusalScores.mean(refusal.score(PromptRuns.lastLogits(model, harmfulVal, ablate, batchSize, progress)));
        INDArray harmlessAblated = PromptRuns.lastLogits(model, harmlessVal, ablate, batchSize, progress);
        double kl = RefusalScores.mean(RefusalScores.kl(harmlessBase, harmlessAblated));
        Hooks<INDArray> add = Hooks.of(HookName.residPost(layer), (x, n, c) -> x.add(dir.reshape(1, 1, dir.length())));
        double steering = RefusalScores.mean(refusal.score(PromptRuns.lastLogits(model, harmlessVal, add, batchSize, progress)));
        LayerScore s = new LayerScore(offsets.get(p), layer, norm, ablated, kl, steering, null);
        scores.add(new LayerScore(s.position(), layer, norm, ablated, kl, steering, exclusion(s, layers, options)));
      }
    }
    progress.finish();
    Choice c = choose(scores, layers, options);
    String how = c.fallback() ? "fallback: " + c.reason() : "Arditi et al.'s filters, lowest ablation refusal score";
    return new Result(c.candidate().layer(), c.candidate().position(), how, c.fallback(), c.reason(), baseHarmful,
        baseHarmless, scores);
  }

  /**
   * Why a candidate is not eligible, as Arditi's filter_fn in its order (null when it is): a NaN score, a layer
   * in the pruned part, a harmless KL above {@code maxKl}, an induced refusal score below the threshold.
   */
  static String exclusion(LayerScore s, int layers, Options o) {
    if (s.excludedBecause() != null) {
      return s.excludedBecause();
    }
    if (Double.isNaN(s.ablationRefusalScore()) || Double.isNaN(s.steeringRefusalScore()) || Double.isNaN(s.harmlessKl())) {
      return "a score is NaN";
    }
    if (s.layer() >= o.eligibleBelow(layers)) {
      return "in the last " + Math.round(o.pruneFraction() * 100) + "% of layers";
    }
    if (s.harmlessKl() > o.maxKl()) {
      return "harmless KL above " + o.maxKl();
    }
    if (s.steeringRefusalScore() < o.induceRefusalThreshold()) {
      return "adding it induces a harmless refusal score below " + o.induceRefusalThreshold();
    }
    return null;
  }

  /**
   * Picks among scored candidates (their {@code excludedBecause} already set by {@link #exclusion}): the eligible
   * one with the lowest ablation refusal score (ties: the earlier); where none is eligible, the lowest among
   * those with finite scores in the unpruned layers (else any layer), a fallback with the count of each reason;
   * with a forced layer, that layer's best candidate, a fallback too.
   */
  static Choice choose(List<LayerScore> scores, int layers, Options options) {
    if (options.layer().isPresent()) {
      int forced = options.layer().getAsInt();
      List<LayerScore> atLayer = scores.stream().filter(s -> s.layer() == forced).toList();
      LayerScore best = lowest(atLayer, true);
      if (best == null) {
        best = lowest(atLayer, false);
      }
      if (best == null) {
        throw new IllegalArgumentException("--layer " + forced + ": no candidate at that layer has a finite score");
      }
      return new Choice(best, true, "layer " + forced + " forced by --layer"
          + (best.excludedBecause() == null ? " (it passes Arditi et al.'s filters)" : " (it fails Arditi et al.'s filters: "
          + best.excludedBecause() + ")"));
    }
    LayerScore best = lowest(scores, true);
    if (best != null) {
      return new Choice(best, false, null);
    }
    int eligibleBelow = options.eligibleBelow(layers);
    List<LayerScore> unpruned = scores.stream().filter(s -> s.layer() < eligibleBelow).toList();
    best = lowest(unpruned, false);
    if (best == null) {
      best = lowest(scores, false);
    }
    if (best == null) {
      throw new IllegalArgumentException(
          "no refusal-direction candidate has finite scores (are harmful and harmless prompts identical?)");
    }
    java.util.Map<String, Integer> why = new java.util.TreeMap<>();
    for (LayerScore s : scores) {
      why.merge(s.excludedBecause(), 1, Integer::sum);
    }
    double minKl = unpruned.stream().mapToDouble(LayerScore::harmlessKl).filter(x -> !Double.isNaN(x)).min().orElse(Double.NaN);
    return new Choice(best, true, "no candidate passed Arditi et al.'s filters (" + why.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey()).collect(java.util.stream.Collectors.joining("; "))
        + "; lowest harmless KL of the unpruned layers " + String.format(java.util.Locale.ROOT, "%.3g", minKl)
        + "): took the lowest ablation refusal score"
        + (best.layer() < eligibleBelow ? " of the unpruned layers" : " of all layers"));
  }

  /** The candidate with the lowest finite ablation refusal score among those eligible (or any), null if none. */
  private static LayerScore lowest(List<LayerScore> scores, boolean eligibleOnly) {
    LayerScore best = null;
    for (LayerScore s : scores) {
      if ((eligibleOnly && s.excludedBecause() != null) || Double.isNaN(s.ablationRefusalScore())) {
        continue;
      }
      if (best == null || s.ablationRefusalScore() < best.ablationRefusalScore()) {
        best = s;
      }
    }
    return best;
  }
}
