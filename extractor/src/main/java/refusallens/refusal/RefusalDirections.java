package refusallens.refusal;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.model.Hooks;
import refusallens.model.Transformer;
import refusallens.progress.Progress;

/**
 * Candidate refusal directions, one per layer: the difference in means of {@code hook_resid_post} between
 * harmful and harmless chat prompts (with the generation prompt), at the last token or averaged over the
 * post-instruction tokens (Arditi et al. 2024).
 */
public final class RefusalDirections {
  private RefusalDirections() {}

  /** Mean resid_post of harmful and of harmless prompts at every layer, each [layers, d]. */
  public record Means(INDArray harmful, INDArray harmless) {
    /** mean_harmful - mean_harmless: [layers, d]. */
    public INDArray difference() {
      return harmful.sub(harmless);
    }
  }

  /** The two means whose difference (mean_harmful - mean_harmless, [layers, d]) gives the candidate directions. */
  public static Means means(
      Transformer model,
      List<int[]> harmful,
      List<int[]> harmless,
      DirectionPositions positions,
      TemplateSpan span,
      int batchSize,
      Progress progress) {
    progress.start("refusal direction", harmful.size() + harmless.size());
    INDArray h = meanResid(model, harmful, positions, span, batchSize, progress);
    INDArray b = meanResid(model, harmless, positions, span, batchSize, progress);
    progress.finish();
    return new Means(h, b);
  }

  /** Mean over prompts of resid_post at {@code positions}, every layer: [layers, d]. */
  public static INDArray meanResid(
      Transformer model,
      List<int[]> prompts,
      DirectionPositions positions,
      TemplateSpan span,
      int batchSize,
      Progress progress) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("the difference in means needs at least one prompt of each kind");
    }
    int layers = model.config().numLayers();
    Set<Integer> all = new TreeSet<>();
    for (int l = 0; l < layers; l++) {
      all.add(l);
    }
    INDArray sum = Nd4j.zeros(DataType.DOUBLE, layers, model.config().dModel());
    PromptRuns.forEachBatch(model, prompts, all, Hooks.none(), false, batchSize, progress, batch -> {
      for (int b = 0; b < batch.indices().length; b++) {
        for (int l = 0; l < layers; l++) {
          INDArray resid = batch.resid(l, b); // [len, d]
          sum.getRow(l).addi(at(resid, positions, span).castTo(DataType.DOUBLE));
        }
      }
    });
    return sum.divi(prompts.size()).castTo(DataType.FLOAT);
  }

  /** One prompt's resid [len, d] reduced to [d] at {@code positions}. */
  static INDArray at(INDArray resid, DirectionPositions positions, TemplateSpan span) {
    int len = (int) resid.size(0);
    return switch (positions) {
      case LAST -> resid.getRow(len - 1).dup();
      case POST_INSTRUCTION -> resid.get(NDArrayIndex.interval(span.postInstructionStart(len), len), NDArrayIndex.all())
          .mean(0);
    };
  }
}
