package refusallens.core.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.ops.TensorOps;

/**
 * Greedy decoding of a left-padded batch on the eager path, with or without a KV cache, on the model's one
 * backend (its {@link EagerPlan}, as its forward passes); the caller's hooks stay active at every step, and
 * their context marks generated slots.
 */
final class GreedyGenerator {
  private final Transformer model;

  GreedyGenerator(Transformer model) {
    this.model = model;
  }

  List<int[]> generate(TokenBatch prompts, GenerationOptions options, Hooks<INDArray> hooks) {
    return generate(model.plan(), prompts, options, hooks);
  }

  private <T> List<int[]> generate(EagerPlan<T> plan, TokenBatch prompts, GenerationOptions options,
      Hooks<INDArray> callerHooks) {
    int b = prompts.size();
    int promptEnd = prompts.maxLength();
    int[] padLeft = prompts.padLeft();
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      out.add(new ArrayList<>());
    }
    if (options.maxNewTokens() == 0) {
      return toArrays(out);
    }
    TensorOps<T> ops = plan.ops();
    Hooks<T> hooks = plan.hooks(callerHooks);
    KvCache<T> cache = options.useKvCache() ? KvCache.growing(ops, model.config().shape().numLayers()) : KvCache.none();
    int vocab = model.config().shape().vocabSize();
    boolean[] done = new boolean[b];
    List<int[]> slots = new ArrayList<>(); // generated ids per step, [B] each
    int[] allIds = prompts.paddedIds(model.padId());

    // prefill: every prompt slot, logits of the last [B, vocab]
    Transformer.Chunk chunk = new Transformer.Chunk(b, 0, promptEnd, allIds, padLeft, promptEnd);
    T logits = run(ops, chunk, hooks, cache);
    for (int step = 0; step < options.maxNewTokens(); step++) {
      int[] next = argmaxRows(plan.values(logits), b, vocab);
      slots.add(next);
      for (int i = 0; i < b; i++) {
        if (!done[i]) {
          out.get(i).add(next[i]);
          done[i] = options.stopTokens().contains(next[i]);
        }
      }
      if (allDone(done) || step + 1 == options.maxNewTokens()) {
        break;
      }
      if (options.useKvCache()) {
        // one new slot per row; finished rows keep being fed (their output is already final)
        chunk = new Transformer.Chunk(b, promptEnd + step, 1, next, padLeft, promptEnd);
      } else {
        chunk = new Transformer.Chunk(b, 0, promptEnd + step + 1, concat(prompts, allIds, slots), padLeft, promptEnd);
      }
      logits = run(ops, chunk, hooks, cache);
    }
    return toArrays(out);
  }

  private <T> T run(TensorOps<T> ops, Transformer.Chunk chunk, Hooks<T> hooks, KvCache<T> cache) {
    return model.pass(ops, chunk, hooks, Set.of(), new HashMap<>(), LogitScope.LAST, cache, false).logits();
  }

  /** Prompt slots followed by the generated ones, row-major [B * (promptEnd + steps)]. */
  private static int[] concat(TokenBatch prompts, int[] promptIds, List<int[]> generated) {
    int b = prompts.size();
    int p = prompts.maxLength();
    int len = p + generated.size();
    int[] ids = new int[b * len];
    for (int i = 0; i < b; i++) {
      System.arraycopy(promptIds, i * p, ids, i * len, p);
      for (int g = 0; g < generated.size(); g++) {
        ids[i * len + p + g] = generated.get(g)[i];
      }
    }
    return ids;
  }

  /** First index of the maximum of each row of flat [b, v] (ties go to the lowest id, as torch.argmax). */
  static int[] argmaxRows(float[] flat, int b, int v) {
    int[] out = new int[b];
    for (int i = 0; i < b; i++) {
      int best = 0;
      float bestVal = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < v; j++) {
        float x = flat[i * v + j];
        if (x > bestVal) {
          bestVal = x;
          best = j;
        }
      }
      out[i] = best;
    }
    return out;
  }

  private static boolean allDone(boolean[] done) {
    for (boolean d : done) {
      if (!d) {
        return false;
      }
    }
    return true;
  }

  private static List<int[]> toArrays(List<List<Integer>> rows) {
    List<int[]> out = new ArrayList<>();
    for (List<Integer> r : rows) {
      out.add(r.stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }
}
