package refusallens.refusal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.intervention.DirectionAblation;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.LogProbMetric;
import refusallens.core.model.LogitScope;
import refusallens.core.model.ResidGradients;
import refusallens.core.model.ops.TapeOps;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeSet;

/**
 * Attribution patching with integrated gradients over SAE features (Marks et al.; the paper's F* search).
 * For each harmful prompt: a clean run, and a patched run with the refusal direction ablated at every layer
 * and position (the model then complies). The metric is m = logit[last, jb] - logit[last, r], contrasting a
 * compliance token with a refusal token: jb is the patched run's most likely first token outside the refusal token
 * set R, r the clean run's most likely token in R (so m never compares two ways of starting a refusal). At every SAE layer at once the residual stream is interpolated between the
 * runs, x_a = (1 - a) x_clean + a x_patch for a = 0, 1/steps, ..., (steps-1)/steps; because decode is affine
 * and the SAE error is interpolated too, decode(f_a) + err_a is exactly x_a. The attribution of feature i is
 * (f_patch - f_clean)_i * mean_a dm/df_i, averaged over the prompt's positions after the template header.
 */
public final class AttributionPatching {
  private AttributionPatching() {}

  /** Interpolation steps and prompts per backward pass. */
  public record Options(int steps, int batchSize) {
    public Options {
      if (steps < 1) {
        throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
      }
    }
  }

  /**
   * Attributions of every feature of every SAE layer.
   *
   * @param perPrompt layer -> [P, d_sae]: each prompt's attribution, averaged over its positions after the header
   * @param errorAttribution layer -> [P]: the same for the SAE error term, (err_patch - err_clean) . mean grad
   * @param cleanMetric m of each prompt's clean run
   * @param patchedMetric m of each prompt's patched run
   * @param jbTokens each prompt's compliance token: the patched run's most likely first token not in R
   * @param refusalTokens each prompt's refusal token: the clean run's most likely first token in R
   */
  public record Result(
      List<Integer> layers,
      Map<Integer, INDArray> perPrompt,
      Map<Integer, double[]> errorAttribution,
      double[] cleanMetric,
      double[] patchedMetric,
      int[] jbTokens,
      int[] refusalTokens) {
    /** Mean attribution over prompts at {@code layer}: [d_sae]. */
    public INDArray mean(int layer) {
      return perPrompt.get(layer).mean(0);
    }
  }

  /** Runs the attribution over {@code prompts} (chat token ids with the generation prompt). */
  public static Result run(
      Transformer model,
      SaeSet saes,
      List<int[]> prompts,
      DirectionAblation patch,
      RefusalTokens refusal,
      TemplateSpan span,
      Options options,
      Progress progress) {
    List<Integer> layers = List.copyOf(saes.layers());
    int p = prompts.size();
    Map<Integer, INDArray> perPrompt = new HashMap<>();
    Map<Integer, double[]> errAttr = new HashMap<>();
    for (int l : layers) {
      perPrompt.put(l, Nd4j.zeros(DataType.FLOAT, p, saes.config(l).dSae()));
      errAttr.put(l, new double[p]);
    }
    double[] clean = new double[p];
    double[] patched = new double[p];
    int[] jb = new int[p];
    int[] ref = new int[p];
    Set<HookName> capture = new TreeSet<>();
    layers.forEach(l -> capture.add(HookName.residPost(l)));
    Hooks<INDArray> ablate = patch.everyLayer(model.config().shape().numLayers());

    progress.start("attribution patching", (long) p * options.steps());
    for (int start = 0; start < p; start += options.batchSize()) {
      int end = Math.min(p, start + options.batchSize());
      TokenBatch tb = new TokenBatch(new ArrayList<>(prompts.subList(start, end)));
      ForwardResult c = model.forward(tb, new ForwardRequest(capture, Hooks.none(), LogitScope.LAST));
      ForwardResult x = model.forward(tb, new ForwardRequest(capture, ablate, LogitScope.LAST));
      int[] jbBatch = RefusalScores.argmax(x.logits(), v -> !refusal.contains(v));
      int[] refBatch = RefusalScores.argmax(c.logits(), refusal::contains);
      for (int b = 0; b < tb.size(); b++) {
        jb[start + b] = jbBatch[b];
        ref[start + b] = refBatch[b];
        clean[start + b] = c.logits().getDouble(b, jbBatch[b]) - c.logits().getDouble(b, refBatch[b]);
        patched[start + b] = x.logits().getDouble(b, jbBatch[b]) - x.logits().getDouble(b, refBatch[b]);
      }
      Map<Integer, INDArray> cleanResid = new HashMap<>();
      Map<Integer, INDArray> patchResid = new HashMap<>();
      for (int l : layers) {
        cleanResid.put(l, c.activation(HookName.residPost(l)));
        patchResid.put(l, x.activation(HookName.residPost(l)));
      }
      // log-prob differences at one position are logit differences: the normaliser cancels
      LogProbMetric metric = metric(tb, jbBatch, refBatch);
      Map<Integer, INDArray> grad = meanResidGradients(model, tb, cleanResid, patchResid, metric, options.steps(), progress);
      for (int l : layers) {
        Sae sae = saes.get(l);
        for (int b = 0; b < tb.size(); b++) {
          int len = tb.row(b).length;
          int from = tb.padLeft(b) + span.contentStart(len);
          INDArray xc = rows(cleanResid.get(l), b, from, tb.maxLength()); // [n, d]
          INDArray xp = rows(patchResid.get(l), b, from, tb.maxLength()); // [n, d]
          INDArray g = rows(grad.get(l), b, from, tb.maxLength()); // [n, d]
          INDArray fc = sae.encode(xc); // [n, m]
          INDArray fp = sae.encode(xp); // [n, m]
          INDArray attr = fp.sub(fc).muli(featureGradient(sae, g)).mean(0); // [m]
          perPrompt.get(l).putRow(start + b, attr);
          INDArray errDelta = xp.sub(sae.decode(fp)).subi(xc.sub(sae.decode(fc))); // [n, d]
          errAttr.get(l)[start + b] = errDelta.mul(g).sumNumber().doubleValue() / xc.size(0);
        }
      }
    }
    progress.finish();
    return new Result(layers, perPrompt, errAttr, clean, patched, jb, ref);
  }

  /** m = logit[last, jb] - logit[last, refusal] summed over the batch's rows (rows do not interact). */
  static LogProbMetric metric(TokenBatch tb, int[] jb, int[] refusalToken) {
    List<LogProbMetric.Term> terms = new ArrayList<>();
    for (int b = 0; b < tb.size(); b++) {
      int last = tb.row(b).length - 1;
      terms.add(new LogProbMetric.Term(b, last, jb[b], 1.0));
      terms.add(new LogProbMetric.Term(b, last, refusalToken[b], -1.0));
    }
    return new LogProbMetric(terms);
  }

  /**
   * dm/df for every feature at positions whose d m / d resid is {@code gradResid} [n, d]: [n, d_sae].
   *
   * <p>Why the chain rule rather than a differentiable f in the graph: the splice is resid = f W_dec + b_dec +
   * err, linear in f, so dm/df_i = W_dec[i] . dm/dresid exactly. One backward pass already gives dm/dresid at
   * every layer ({@link ResidGradients}); one [n, d] x [d, m] product then gives every feature's gradient,
   * instead of carrying an [n, m] tensor per SAE layer through the backward pass.
   */
  static INDArray featureGradient(Sae sae, INDArray gradResid) {
    return gradResid.castTo(DataType.FLOAT).mmul(sae.wDec().transpose()); // [n, d] x [d, m]
  }

  /**
   * The mean over a = k / steps (k = 0 .. steps-1) of dm/dresid_post at each interpolated layer: layer ->
   * [B, S, d]. Each step is one backward pass with every layer of {@code clean} spliced at once.
   *
   * <p>The splice keeps the graph connected: the hook returns resid + stopGradient(x_a - resid), whose value is
   * x_a but whose gradient flows on to earlier layers. A plain replacement would cut every layer off from the
   * layers above it, so only the last SAE layer would get a gradient; with the straight-through splice,
   * dm/dresid at layer L is the total effect through the layers above, each evaluated at the interpolated point.
   */
  public static Map<Integer, INDArray> meanResidGradients(
      Transformer model,
      TokenBatch tb,
      Map<Integer, INDArray> clean,
      Map<Integer, INDArray> patched,
      LogProbMetric metric,
      int steps,
      Progress progress) {
    Map<Integer, INDArray> sum = new HashMap<>();
    clean.forEach((l, v) -> sum.put(l, Nd4j.zeros(DataType.FLOAT, v.shape())));
    for (int k = 0; k < steps; k++) {
      double a = (double) k / steps;
      Hooks<TapeOps.Var> hooks = Hooks.none();
      for (Map.Entry<Integer, INDArray> e : clean.entrySet()) {
        INDArray target = e.getValue().mul(1 - a).addi(patched.get(e.getKey()).mul(a)); // [B, S, d]
        hooks = hooks.with(HookName.residPost(e.getKey()), (act, n, ctx) -> {
          var ops = ctx.ops();
          return ops.add(act, ops.stopGradient(ops.sub(ops.constant(target), act)));
        });
      }
      ResidGradients.Result r = ResidGradients.compute(model, tb, metric, hooks);
      for (int l : clean.keySet()) {
        sum.get(l).addi(r.gradResidPost().get(NDArrayIndex.point(l)));
      }
      progress.step(tb.size());
    }
    sum.values().forEach(v -> v.divi(steps));
    return sum;
  }

  /** Slots [from, to) of batch row {@code b} of a [B, S, d] tensor: [n, d]. */
  static INDArray rows(INDArray bsd, int b, int from, int to) {
    return bsd.get(NDArrayIndex.point(b), NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
  }
}
