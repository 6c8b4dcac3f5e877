package refusallens.eval.dashboard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.chat.ChatMessage;
import refusallens.datasets.Prompt;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.model.weights.WeightSpec;
import refusallens.refusal.FeaturesFile;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/** Builds one {@link FeatureCard} per F* feature of a features file, from the model run on harmful and harmless prompts. */
public final class FeatureDashboard {
  /** Tokens of context shown either side of an activating token. */
  public static final int CONTEXT = 8;
  /** Top-activating examples per card (at most one per prompt). */
  public static final int TOP_EXAMPLES = 5;
  /** Promoted and suppressed tokens per card. */
  public static final int LOGIT_TOKENS = 10;
  /** Histogram bins. */
  public static final int BINS = 10;

  private final Transformer model;
  private final Tokenizer tokenizer;
  private final SaeSet saes;

  public FeatureDashboard(Transformer model, Tokenizer tokenizer, SaeSet saes) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.saes = saes;
  }

  /** One card per feature of {@code f.features()} (F*), in the file's order. */
  public List<FeatureCard> cards(FeaturesFile f, List<Prompt> harmful, List<Prompt> harmless) {
    if (f.features().isEmpty()) {
      throw new IllegalArgumentException("features.json has no F* features to show");
    }
    if (harmful.isEmpty() || harmless.isEmpty()) {
      throw new IllegalArgumentException("need harmful and harmless prompts (got " + harmful.size() + " and " + harmless.size() + ")");
    }
    Map<Integer, List<FeaturesFile.Feature>> byLayer = new LinkedHashMap<>();
    for (FeaturesFile.Feature x : f.features()) {
      if (!saes.contains(x.layer())) {
        throw new IllegalArgumentException("feature " + x.layer() + "/" + x.index() + ": no SAE at layer " + x.layer() + " (--sae)");
      }
      byLayer.computeIfAbsent(x.layer(), k -> new ArrayList<>()).add(x);
    }
    INDArray unembedding = unembedding(); // [vocab, d]
    float[] direction = f.refusalDirection().direction();
    Map<String, FeatureCard> cards = new LinkedHashMap<>();
    for (var e : byLayer.entrySet()) {
      Sae sae = saes.get(e.getKey());
      int[] idx = e.getValue().stream().mapToInt(FeaturesFile.Feature::index).toArray();
      Scan harm = scan(sae, idx, harmful);
      Scan safe = scan(sae, idx, harmless);
      for (int k = 0; k < idx.length; k++) {
        FeaturesFile.Feature x = e.getValue().get(k);
        INDArray row = sae.decoderRow(x.index()).castTo(DataType.FLOAT).reshape(1, sae.dIn());
        double[] logit = unembedding.mmul(row.transpose()).castTo(DataType.DOUBLE).toDoubleVector();
        List<FeatureCard.Example> examples = new ArrayList<>();
        examples.addAll(harm.best.get(k));
        examples.addAll(safe.best.get(k));
        examples.sort(Comparator.comparingDouble(FeatureCard.Example::activation).reversed());
        cards.put(x.layer() + "/" + x.index(), new FeatureCard(x.layer(), x.index(), x.role().wireName(),
            cosine(row.toFloatVector(), direction), x.attribution(),
            List.copyOf(examples.subList(0, Math.min(TOP_EXAMPLES, examples.size()))),
            logitTokens(logit, true), logitTokens(logit, false), histogram(harm.max[k], safe.max[k])));
      }
    }
    return f.features().stream().map(x -> cards.get(x.layer() + "/" + x.index())).toList();
  }

  /** W_U [vocab, d]: lm_head, or the embedding where the model ties them. */
  private INDArray unembedding() {
    String name = model.config().shape().tieWordEmbeddings() ? WeightSpec.EMBED : WeightSpec.LM_HEAD;
    return model.weights().get(name).castTo(DataType.FLOAT);
  }

  /** Per feature: each prompt's maximum activation, and each prompt's best token in context. */
  private record Scan(double[][] max, List<List<FeatureCard.Example>> best) {}

  private Scan scan(Sae sae, int[] idx, List<Prompt> prompts) {
    double[][] max = new double[idx.length][prompts.size()];
    List<List<FeatureCard.Example>> best = new ArrayList<>();
    for (int k = 0; k < idx.length; k++) {
      best.add(new ArrayList<>());
    }
    int d = sae.dIn();
    for (int p = 0; p < prompts.size(); p++) {
      Prompt prompt = prompts.get(p);
      List<ChatMessage> messages = prompt.messages() != null && !prompt.messages().isEmpty()
          ? prompt.messages() : List.of(ChatMessage.user(prompt.text()));
      int[] ids = tokenizer.encodeChat(messages, true);
      if (ids.length < 2) {
        continue;
      }
      INDArray resid = model.forward(TokenBatch.of(ids), ForwardRequest.captureOnly(Set.of(sae.hook())))
          .activation(sae.hook()).reshape(ids.length, d);
      // BOS is skipped: its residual is an outlier that every SAE reconstructs badly
      INDArray x = resid.get(NDArrayIndex.interval(1, ids.length), NDArrayIndex.all()).castTo(DataType.FLOAT).dup();
      double[][] acts = sae.encodeFeatures(x, idx).castTo(DataType.DOUBLE).toDoubleMatrix(); // [T-1, k]
      for (int k = 0; k < idx.length; k++) {
        int arg = 0;
        for (int t = 1; t < acts.length; t++) {
          if (acts[t][k] > acts[arg][k]) {
            arg = t;
          }
        }
        double a = acts[arg][k];
        max[k][p] = a;
        if (a > 0) {
          best.get(k).add(example(prompt, ids, arg + 1, a));
        }
      }
    }
    return new Scan(max, best);
  }

  private FeatureCard.Example example(Prompt prompt, int[] ids, int pos, double activation) {
    int from = Math.max(1, pos - CONTEXT);
    int to = Math.min(ids.length, pos + 1 + CONTEXT);
    return new FeatureCard.Example(prompt.id(), prompt.label().name().toLowerCase(java.util.Locale.ROOT), pos,
        activation, text(ids, from, pos), text(ids, pos, pos + 1), text(ids, pos + 1, to));
  }

  private String text(int[] ids, int from, int to) {
    return from >= to ? "" : tokenizer.decode(java.util.Arrays.copyOfRange(ids, from, to), false);
  }

  private List<FeatureCard.LogitToken> logitTokens(double[] logit, boolean top) {
    Integer[] order = new Integer[logit.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Comparator<Integer> byWeight = Comparator.comparingDouble(i -> logit[i]);
    java.util.Arrays.sort(order, top ? byWeight.reversed() : byWeight);
    List<FeatureCard.LogitToken> out = new ArrayList<>();
    for (int i = 0; i < Math.min(LOGIT_TOKENS, order.length); i++) {
      int id = order[i];
      out.add(new FeatureCard.LogitToken(tokenizer.decode(new int[] {id}, false), id, logit[id]));
    }
    return out;
  }

  static FeatureCard.Histogram histogram(double[] harmful, double[] harmless) {
    double hi = 0;
    for (double v : harmful) hi = Math.max(hi, v);
    for (double v : harmless) hi = Math.max(hi, v);
    if (hi <= 0) {
      hi = 1; // the feature never fired: one bin at 0 holds every prompt
    }
    double[] edges = new double[BINS + 1];
    for (int i = 0; i <= BINS; i++) {
      edges[i] = hi * i / BINS;
    }
    return new FeatureCard.Histogram("max activation per prompt", edges, counts(harmful, hi), counts(harmless, hi),
        harmful.length, harmless.length);
  }

  private static int[] counts(double[] values, double hi) {
    int[] c = new int[BINS];
    for (double v : values) {
      c[Math.min(BINS - 1, Math.max(0, (int) (v / hi * BINS)))]++;
    }
    return c;
  }

  private static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("decoder row has " + a.length + " values, the refusal direction " + b.length);
    }
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
