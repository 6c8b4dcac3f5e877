package refusallens.extract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.model.ForwardResult;
import refusallens.model.HookName;
import refusallens.refusal.TemplateSpan;
import refusallens.sae.Sae;
import refusallens.sae.SaeSet;
import refusallens.tokenizer.Tokenizer;

/**
 * Per-prompt summaries of one forward pass by position rule: {@code hook_resid_post} rows and SAE feature
 * activations averaged over the token positions a {@link PositionRule} selects. The one code path behind the
 * rows {@code extract} stores and the live probe input the classifier service scores.
 */
public final class PositionSummaries {
  private final TemplateSpan span;
  private final SaeSet saes; // may be null when no SAE tensor is summarised

  /** Summaries of chat prompts rendered by {@code tokenizer}'s template; {@code saes} may be null. */
  public PositionSummaries(Tokenizer tokenizer, SaeSet saes) {
    this.span = TemplateSpan.of(tokenizer);
    this.saes = saes;
  }

  /** The hook points a forward pass must capture for {@code tensors}. */
  public static Set<HookName> hooks(List<StoreTensor> tensors) {
    Set<HookName> out = new TreeSet<>();
    tensors.forEach(t -> out.add(HookName.residPost(t.layer())));
    return out;
  }

  /** [from, to) token positions that a rule summarises in a prompt of {@code len} tokens. */
  public int[] positionRange(PositionRule rule, int len) {
    return switch (rule) {
      case LAST -> new int[] {len - 1, len};
      case POST_INSTRUCTION_MEAN -> new int[] {span.postInstructionStart(len), len};
      case PROMPT_MEAN -> new int[] {span.contentStart(len), len};
    };
  }

  /**
   * Tensor name -> [prompts, width] for the prompts {@code ids} of one left-padded forward pass {@code
   * result} (which captured {@link #hooks}). SAE features are encoded once per layer for the positions the
   * rules read, all prompts together.
   */
  public Map<String, float[][]> summarise(List<int[]> ids, ForwardResult result, List<StoreTensor> tensors) {
    int batch = ids.size();
    Map<String, float[][]> out = new LinkedHashMap<>();
    Map<Integer, List<StoreTensor>> byLayer = new TreeMap<>();
    for (StoreTensor t : tensors) {
      out.put(t.name(), new float[batch][]);
      byLayer.computeIfAbsent(t.layer(), l -> new ArrayList<>()).add(t);
    }
    for (var e : byLayer.entrySet()) {
      int layer = e.getKey();
      INDArray act = result.activation(HookName.residPost(layer)); // [B, padded, d]
      long padded = act.size(1);
      List<StoreTensor> saeTensors = e.getValue().stream().filter(t -> t.kind() == StoreTensor.Kind.SAE_ACTS).toList();
      INDArray[] resid = new INDArray[batch]; // row b: [len_b, d]
      int[] saeFrom = new int[batch]; // first position any SAE tensor of this layer reads
      for (int b = 0; b < batch; b++) {
        int len = ids.get(b).length;
        resid[b] = act.get(NDArrayIndex.point(b), NDArrayIndex.interval(padded - len, padded), NDArrayIndex.all())
            .dup(); // [len, d]
        saeFrom[b] = len;
        for (StoreTensor t : e.getValue()) {
          int[] range = positionRange(t.position(), len);
          if (t.kind() == StoreTensor.Kind.RESID_POST) {
            out.get(t.name())[b] = Rows.of(resid[b]).mean(range[0], range[1]);
          } else {
            saeFrom[b] = Math.min(saeFrom[b], range[0]);
          }
        }
      }
      if (!saeTensors.isEmpty()) {
        summariseSae(layer, saeTensors, ids, resid, saeFrom, out);
      }
    }
    return out;
  }

  /** Encodes the read positions of every prompt in one [sum of rows, d] batch and averages per tensor. */
  private void summariseSae(int layer, List<StoreTensor> tensors, List<int[]> ids, INDArray[] resid, int[] from,
      Map<String, float[][]> out) {
    if (saes == null || !saes.contains(layer)) {
      throw new IllegalArgumentException("SAE features at layer " + layer + " requested but no SAE is loaded there");
    }
    Sae sae = saes.get(layer);
    List<INDArray> parts = new ArrayList<>();
    int[] offset = new int[ids.size() + 1];
    for (int b = 0; b < ids.size(); b++) {
      int len = ids.get(b).length;
      parts.add(resid[b].get(NDArrayIndex.interval(from[b], len), NDArrayIndex.all()));
      offset[b + 1] = offset[b] + (len - from[b]);
    }
    INDArray x = Nd4j.vstack(parts.toArray(INDArray[]::new)); // [rows, d]
    // one feature list for the layer: all features, or the union of the tensors' lists
    boolean all = tensors.stream().anyMatch(t -> t.features() == null);
    int[] union = all ? null : tensors.stream().flatMap(t -> t.features().stream()).distinct().sorted()
        .mapToInt(Integer::intValue).toArray();
    INDArray acts = all ? sae.encode(x) : sae.encodeFeatures(x, union); // [rows, m or |union|]
    for (StoreTensor t : tensors) {
      INDArray cols = acts;
      if (t.features() != null) {
        int[] idx = new int[t.width()];
        for (int j = 0; j < idx.length; j++) {
          int f = t.features().get(j);
          idx[j] = all ? f : java.util.Arrays.binarySearch(union, f);
        }
        cols = Sae.selectColumns(acts, idx);
      }
      Rows values = Rows.of(cols);
      for (int b = 0; b < ids.size(); b++) {
        int[] range = positionRange(t.position(), ids.get(b).length);
        out.get(t.name())[b] = values.mean(offset[b] + range[0] - from[b], offset[b] + range[1] - from[b]);
      }
    }
  }

  /**
   * A [rows, width] array copied once to a float array, so that each prompt's mean over its positions is a
   * Java loop rather than four ND4J calls (slice, copy, mean, cast) of about 50 us each.
   */
  private record Rows(float[] values, int rows, int width) {
    static Rows of(INDArray a) {
      return new Rows(a.castTo(DataType.FLOAT).dup('c').data().asFloat(), (int) a.size(0), (int) a.size(1));
    }

    float[] mean(int from, int to) {
      if (to <= from || to > rows) {
        throw new IllegalStateException("empty position range " + from + ".." + to + " of " + rows);
      }
      double[] sum = new double[width];
      for (int r = from; r < to; r++) {
        int base = r * width;
        for (int j = 0; j < width; j++) {
          sum[j] += values[base + j];
        }
      }
      float[] out = new float[width];
      for (int j = 0; j < width; j++) {
        out[j] = (float) (sum[j] / (to - from));
      }
      return out;
    }
  }
}
