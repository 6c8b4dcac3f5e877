package refusallens.refusal;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.model.Hooks;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;

/**
 * Candidate refusal directions, one per (position, layer): the difference in means of {@code hook_resid_post}
 * between harmful and harmless chat prompts (with the generation prompt), at each post-instruction position
 * (Arditi et al. 2024), at the last token, or averaged over the post-instruction tokens.
 */
public final class RefusalDirections {
  private RefusalDirections() {}

  /**
   * Mean resid_post of harmful and of harmless prompts at every candidate position and layer, each
   * [positions, layers, d]; {@code offsets} names each candidate position as Arditi et al. do (-1 the last
   * token, -2 the one before ...), null for the mean over the post-instruction tokens.
   */
  public record Means(INDArray harmful, INDArray harmless, List<Integer> offsets) {
    /** mean_harmful - mean_harmless: [positions, layers, d]. */
    public INDArray difference() {
      return harmful.sub(harmless);
    }
  }

  /** The candidate positions of {@code positions} as offsets from the end (null: the post-instruction mean). */
  public static List<Integer> offsets(DirectionPositions positions, TemplateSpan span) {
    return switch (positions) {
      case LAST -> List.of(-1);
      case POST_INSTRUCTION -> java.util.Collections.singletonList(null);
      case EACH_POST_INSTRUCTION -> java.util.stream.IntStream.range(-span.postInstruction(), 0).boxed().toList();
    };
  }

  /** The two means whose difference gives the candidate directions ([positions, layers, d]). */
  public static Means means(
      Transformer model,
      List<int[]> harmful,
      List<int[]> harmless,
      DirectionPositions positions,
      TemplateSpan span,
      int batchSize,
      Progress progress) {
    List<Integer> offsets = offsets(positions, span);
    progress.start("refusal direction", harmful.size() + harmless.size());
    INDArray h = meanResid(model, harmful, offsets, span, batchSize, progress);
    INDArray b = meanResid(model, harmless, offsets, span, batchSize, progress);
    progress.finish();
    return new Means(h, b, offsets);
  }

  /**
   * Mean over prompts of resid_post at {@code positions}, every layer: [layers, d] (the direction's positions as
   * a features file records them; {@code each-post-instruction} needs the offset, see {@link #meanResid(Transformer,
   * List, List, TemplateSpan, int, Progress)}).
   */
  public static INDArray meanResid(
      Transformer model,
      List<int[]> prompts,
      DirectionPositions positions,
      TemplateSpan span,
      int batchSize,
      Progress progress) {
    if (positions == DirectionPositions.EACH_POST_INSTRUCTION) {
      throw new IllegalArgumentException("each-post-instruction directions are taken at one position: give its offset");
    }
    return meanResid(model, prompts, offsets(positions, span), span, batchSize, progress)
        .get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()).dup();
  }

  /** Mean over prompts of resid_post at each position offset (null: post-instruction mean), every layer: [positions, layers, d]. */
  public static INDArray meanResid(
      Transformer model,
      List<int[]> prompts,
      List<Integer> offsets,
      TemplateSpan span,
      int batchSize,
      Progress progress) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("the difference in means needs at least one prompt of each kind");
    }
    int layers = model.config().shape().numLayers();
    Set<Integer> all = new TreeSet<>();
    for (int l = 0; l < layers; l++) {
      all.add(l);
    }
    int npos = offsets.size();
    INDArray sum = Nd4j.zeros(DataType.DOUBLE, npos, layers, model.config().shape().dModel());
    PromptRuns.forEachBatch(model, prompts, all, Hooks.none(), false, batchSize, progress, batch -> {
      for (int b = 0; b < batch.indices().length; b++) {
        for (int l = 0; l < layers; l++) {
          INDArray resid = batch.resid(l, b); // [len, d]
          for (int p = 0; p < npos; p++) {
            sum.get(NDArrayIndex.point(p), NDArrayIndex.point(l), NDArrayIndex.all())
                .addi(at(resid, offsets.get(p), span).castTo(DataType.DOUBLE));
          }
        }
      }
    });
    return sum.divi(prompts.size()).castTo(DataType.FLOAT);
  }

  /** One prompt's resid [len, d] reduced to [d] at position offset {@code offset} (null: the post-instruction mean). */
  static INDArray at(INDArray resid, Integer offset, TemplateSpan span) {
    int len = (int) resid.size(0);
    if (offset == null) {
      return resid.get(NDArrayIndex.interval(span.postInstructionStart(len), len), NDArrayIndex.all()).mean(0);
    }
    return resid.getRow(Math.max(0, len + offset)).dup();
  }
}
