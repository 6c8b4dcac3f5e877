package refusallens.refusal.extract;

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
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.refusal.TemplateSpan;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

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
      int padded = (int) act.size(1);
      // one copy of the whole activation; every prompt's rows are then read in Java (ND4J slicing costs
      // about 50 us per call, several per prompt and layer)
      Rows rows = Rows.of(act.reshape('c', (long) batch * padded, act.size(2)));
      List<StoreTensor> saeTensors = e.getValue().stream().filter(t -> t.kind() == StoreTensor.Kind.SAE_ACTS).toList();
      int[] first = new int[batch]; // row of prompt b's first real token in rows
      int[] saeFrom = new int[batch]; // first position any SAE tensor of this layer reads
      for (int b = 0; b < batch; b++) {
        int len = ids.get(b).length;
        first[b] = b * padded + padded - len;
        saeFrom[b] = len;
        for (StoreTensor t : e.getValue()) {
          int[] range = positionRange(t.position(), len);
          if (t.kind() == StoreTensor.Kind.RESID_POST) {
            out.get(t.name())[b] = rows.mean(first[b] + range[0], first[b] + range[1]);
          } else {
            saeFrom[b] = Math.min(saeFrom[b], range[0]);
          }
        }
      }
      if (!saeTensors.isEmpty()) {
        summariseSae(layer, saeTensors, ids, rows, first, saeFrom, out);
      }
    }
    return out;
  }

  /** Encodes the read positions of every prompt in one [sum of rows, d] batch and averages per tensor. */
  private void summariseSae(int layer, List<StoreTensor> tensors, List<int[]> ids, Rows resid, int[] first, int[] from,
      Map<String, float[][]> out) {
    if (saes == null || !saes.contains(layer)) {
      throw new IllegalArgumentException("SAE features at layer " + layer + " requested but no SAE is loaded there");
    }
    Sae sae = saes.get(layer);
    int[] offset = new int[ids.size() + 1];
    for (int b = 0; b < ids.size(); b++) {
      offset[b + 1] = offset[b] + (ids.get(b).length - from[b]);
    }
    int d = resid.width();
    float[] xs = new float[offset[ids.size()] * d];
    for (int b = 0; b < ids.size(); b++) {
      System.arraycopy(resid.values(), (first[b] + from[b]) * d, xs, offset[b] * d, (offset[b + 1] - offset[b]) * d);
    }
    INDArray x = Nd4j.create(xs, new long[] {offset[ids.size()], d}, 'c'); // [rows, d]
    // one feature list for the layer: all features, or the union of the tensors' lists
    boolean all = tensors.stream().anyMatch(t -> t.features() == null);
    int[] union = all ? null : tensors.stream().flatMap(t -> t.features().stream()).distinct().sorted()
        .mapToInt(Integer::intValue).toArray();
    INDArray acts = all ? sae.encode(x) : sae.encodeFeatures(x, union); // [rows, m or |union|]
    Rows values = Rows.of(acts);
    for (StoreTensor t : tensors) {
      int[] idx = null;
      if (t.features() != null) {
        idx = new int[t.width()];
        for (int j = 0; j < idx.length; j++) {
          int f = t.features().get(j);
          idx[j] = all ? f : java.util.Arrays.binarySearch(union, f);
        }
      }
      for (int b = 0; b < ids.size(); b++) {
        int[] range = positionRange(t.position(), ids.get(b).length);
        out.get(t.name())[b] = values.mean(offset[b] + range[0] - from[b], offset[b] + range[1] - from[b], idx);
      }
    }
  }

  /**
   * A [rows, width] array copied once to a float array, so that each prompt's rows and means are Java loops
   * rather than ND4J calls (slice, copy, mean, cast) of about 50 us each.
   */
  private record Rows(float[] values, int rows, int width) {
    static Rows of(INDArray a) {
      return new Rows(a.castTo(DataType.FLOAT).dup('c').data().asFloat(), (int) a.size(0), (int) a.size(1));
    }

    float[] mean(int from, int to) {
      return mean(from, to, null);
    }

    /** Mean of rows [from, to) over {@code columns} (all when null). */
    float[] mean(int from, int to, int[] columns) {
      if (to <= from || to > rows) {
        throw new IllegalStateException("empty position range " + from + ".." + to + " of " + rows);
      }
      int w = columns == null ? width : columns.length;
      double[] sum = new double[w];
      for (int r = from; r < to; r++) {
        int base = r * width;
        for (int j = 0; j < w; j++) {
          sum[j] += values[base + (columns == null ? j : columns[j])];
        }
      }
      float[] out = new float[w];
      for (int j = 0; j < w; j++) {
        out[j] = (float) (sum[j] / (to - from));
      }
      return out;
    }
  }
}
