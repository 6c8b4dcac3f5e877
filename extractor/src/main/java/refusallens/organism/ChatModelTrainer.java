package refusallens.organism;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.core.model.Hooks;
import refusallens.core.model.ops.SameDiffOps;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.core.model.arch.TransformerDefinition;
import refusallens.core.model.weights.WeightSpec;
import refusallens.core.model.weights.WeightStore;

/**
 * Trains a chat model through its architecture's one definition: the SameDiff build of
 * {@link Transformer#logits} with the checkpoint weights as trainable variables, loss = mean next-token
 * cross-entropy over the assistant tokens (the first one weighted up: it decides refusal; log-softmax written as
 * x - logsumexp), Adam with warm-up,
 * cosine decay and global-norm clipping. One graph is built for a fixed [batch, length] shape; each step
 * feeds the token ids and the weighted one-hot targets as placeholders.
 */
public final class ChatModelTrainer {

  /** Optimiser settings. */
  public record Options(int batchSize, int seqLen, int steps, double learningRate, int warmupSteps, double clipNorm) {
    public Options {
      if (batchSize <= 0 || seqLen < 2 || steps <= 0 || !(learningRate > 0) || warmupSteps < 0 || !(clipNorm > 0)) {
        throw new IllegalArgumentException("invalid model training options " + this);
      }
    }
  }

  /**
   * One training example: token ids; per position, whether its NEXT token is a training target; the loss weight
   * of its first assistant token; and the positions [userStart, userEnd) of the user's words (prompt noise).
   */
  public record Example(int[] ids, boolean[] target, double firstTokenWeight, int userStart, int userEnd) {
    public Example {
      if (ids.length != target.length) {
        throw new IllegalArgumentException("ids and target mask differ in length");
      }
      if (!(firstTokenWeight > 0) || userStart < 0 || userEnd < userStart || userEnd > ids.length) {
        throw new IllegalArgumentException("invalid first-token weight or user span of an example");
      }
    }

    /** The example with other token ids (same targets, weight and user span). */
    public Example withIds(int[] newIds) {
      return new Example(newIds, target, firstTokenWeight, userStart, userEnd);
    }
  }

  /** Adam state of every weight, by checkpoint name: the first and second moments. */
  public record AdamState(Map<String, INDArray> m, Map<String, INDArray> v) {}

  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.98;
  private static final double EPS = 1e-8;
  /**
   * Loss weight of a refusal's first assistant token relative to the other assistant tokens: the first token is
   * where the model decides to refuse or comply.
   */
  static final double REFUSAL_FIRST_TOKEN_WEIGHT = 3.0;
  /**
   * Loss weight of a helpful answer's first token: half as much again as a refusal's. Trained with equal weights
   * and prompt noise, the organism's VAL decisions leaned to refusing (refusal 0.990, compliance 0.958); this
   * tilts the learned prior of the first token towards answering (chosen once, not searched).
   */
  static final double ANSWER_FIRST_TOKEN_WEIGHT = 4.5;
  private static final Object STDOUT_LOCK = new Object();

  private final Options options;
  private final int vocab;
  private final SameDiff sd;
  private final String idsName;
  private final String targetName;
  private final String selectName;
  private final int targetRows;
  /** Unembedded rows per step as a share of batch x length (assistant tokens beyond it are skipped). */
  static final double TARGET_ROW_FRACTION = 0.6;
  private final String lossName;
  private final Map<String, SDVariable> weights; // checkpoint name -> trainable variable
  private final AdamState adam;
  private boolean gradientsBuilt;

  /** Builds the training graph of {@code definition} starting from {@code initial} weights (copied). */
  public ChatModelTrainer(TransformerDefinition definition, Map<String, INDArray> initial, AdamState state, Options options) {
    this.options = options;
    this.vocab = definition.config().shape().vocabSize();
    Map<String, INDArray> copies = new TreeMap<>();
    for (WeightSpec spec : definition.weightSpecs()) {
      INDArray w = initial.get(spec.name());
      if (w == null) {
        throw new IllegalArgumentException("initial weights lack '" + spec.name() + "'");
      }
      copies.put(spec.name(), w.castTo(DataType.FLOAT).dup('c'));
    }
    WeightStore store = WeightStore.of(copies);
    Transformer model = new Transformer(definition, store);
    sd = SameDiff.create();
    SameDiffOps ops = new SameDiffOps(sd, store, true).idsAsPlaceholders();
    int b = options.batchSize();
    int s = options.seqLen();
    List<int[]> rows = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      rows.add(new int[s]);
    }
    SDVariable resid = model.finalResidual(ops, new TokenBatch(rows), Hooks.none()); // [N, d]
    idsName = ops.idPlaceholders().get(0);
    // only target positions are unembedded: a one-hot row selection [K, N] (slicing misroutes gradients)
    targetRows = (int) Math.ceil(TARGET_ROW_FRACTION * b * s);
    SDVariable select = sd.placeHolder("select", DataType.FLOAT, targetRows, (long) b * s);
    selectName = select.name();
    SDVariable logits = definition.unembed(ops, ops.matmul(select, resid, false)); // [K, V]
    // target: one-hot of the next token, weighted (sum 1 over the batch); zero rows for unused slots
    SDVariable target = sd.placeHolder("target", DataType.FLOAT, targetRows, vocab);
    targetName = target.name();
    SDVariable logProbs = ops.logSoftmax(logits, 1);
    SDVariable loss = ops.mulScalar(ops.sumAll(ops.mul(logProbs, target)), -1.0).rename("loss");
    loss.markAsLoss();
    lossName = loss.name();
    weights = new TreeMap<>(ops.weightVariables());
    if (state == null) {
      Map<String, INDArray> m = new TreeMap<>();
      Map<String, INDArray> v = new TreeMap<>();
      for (String name : weights.keySet()) {
        m.put(name, Nd4j.zerosLike(copies.get(name)));
        v.put(name, Nd4j.zerosLike(copies.get(name)));
      }
      state = new AdamState(m, v);
    }
    this.adam = state;
  }

  /** The current weights (live arrays: copy before training further if they must stay fixed). */
  public Map<String, INDArray> weights() {
    Map<String, INDArray> out = new TreeMap<>();
    weights.forEach((n, v) -> out.put(n, v.getArr()));
    return out;
  }

  public AdamState adamState() {
    return adam;
  }

  /** Learning rate at {@code step} (1-based): linear warm-up, then cosine decay to 10%. */
  public double learningRate(int step) {
    double lr = options.learningRate();
    if (step <= options.warmupSteps()) {
      return lr * step / Math.max(1, options.warmupSteps());
    }
    double progress = (double) (step - options.warmupSteps()) / Math.max(1, options.steps() - options.warmupSteps());
    return lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress))));
  }

  /** One Adam step on {@code batch} (at most batchSize examples); returns the mean loss per target token. */
  public double step(List<Example> batch, int step) {
    Map<String, INDArray> feeds = feeds(batch);
    List<String> names = new ArrayList<>(weights.keySet());
    List<String> varNames = names.stream().map(n -> weights.get(n).name()).toList();
    OutAndGrad result;
    synchronized (STDOUT_LOCK) {
      // SameDiff prints one line per differentiated op while it builds the backward graph
      PrintStream stdout = System.out;
      if (!gradientsBuilt) {
        System.setOut(System.err);
      }
      try {
        result = sd.calculateGradientsAndOutputs(feeds, List.of(lossName), varNames);
      } finally {
        System.setOut(stdout);
        gradientsBuilt = true;
      }
    }
    double loss = result.getOutputs().get(lossName).getDouble(0);
    double sq = 0;
    for (String v : varNames) {
      INDArray g = result.getGradients().get(v);
      double n2 = g.norm2Number().doubleValue();
      sq += n2 * n2;
    }
    double norm = Math.sqrt(sq);
    double scale = norm > options.clipNorm() ? options.clipNorm() / norm : 1.0;
    double lr = learningRate(step);
    double c1 = 1 - Math.pow(BETA1, step);
    double c2 = 1 - Math.pow(BETA2, step);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      INDArray g = result.getGradients().get(varNames.get(i)).muli(scale);
      INDArray m = adam.m().get(name);
      INDArray v = adam.v().get(name);
      try (INDArray scaled = g.mul(1 - BETA1)) {
        m.muli(BETA1).addi(scaled);
      }
      v.muli(BETA2).addi(g.muli(g).muli(1 - BETA2)); // g is this step's own buffer: squared in place
      try (INDArray denom = Transforms.sqrt(v.div(c2), false).addi(EPS);
          INDArray update = m.div(c1)) {
        weights.get(name).getArr().subi(update.divi(denom).muli(lr));
      }
    }
    release(result, feeds);
    return loss;
  }

  /**
   * Frees a step's off-heap buffers now: with a large heap the JVM collects rarely, and ND4J memory only
   * returns when its Java objects are collected, so a long run would otherwise grow to gigabytes.
   */
  private static void release(OutAndGrad result, Map<String, INDArray> feeds) {
    result.getGradients().values().forEach(ChatModelTrainer::close);
    result.getOutputs().values().forEach(ChatModelTrainer::close);
    feeds.values().forEach(ChatModelTrainer::close);
  }

  private static void close(INDArray a) {
    if (a != null && a.closeable()) {
      a.close();
    }
  }

  /** Mean loss per target token on {@code batch} without updating (validation). */
  public double loss(List<Example> batch) {
    Map<String, INDArray> out = sd.output(feeds(batch), lossName);
    return out.get(lossName).getDouble(0);
  }

  private Map<String, INDArray> feeds(List<Example> batch) {
    int b = options.batchSize();
    int s = options.seqLen();
    if (batch.isEmpty() || batch.size() > b) {
      throw new IllegalArgumentException("batch of " + batch.size() + " examples, expected 1.." + b);
    }
    int[] ids = new int[b * s]; // right-padded with <pad> (id 0); padding is never a target
    float[] oneHot = new float[b * s * vocab];
    float[] target = new float[targetRows * vocab];
    float[] select = new float[targetRows * b * s];
    // weights: 1 per assistant token, the example's firstTokenWeight on the first one (where the model decides
    // to refuse or comply), normalised to sum to 1 over the batch
    List<int[]> picked = new ArrayList<>(); // {row*s + t, next token, first?, row}
    for (int r = 0; r < batch.size(); r++) {
      Example e = batch.get(r);
      int len = Math.min(e.ids().length, s);
      System.arraycopy(e.ids(), 0, ids, r * s, len);
      boolean first = true;
      for (int t = 0; t + 1 < len; t++) {
        if (e.target()[t]) {
          picked.add(new int[] {r * s + t, e.ids()[t + 1], first ? 1 : 0, r});
          first = false;
        }
      }
    }
    if (picked.size() > targetRows) {
      // keep every first token, then the earliest others
      picked.sort((x, y) -> x[2] != y[2] ? Integer.compare(y[2], x[2]) : Integer.compare(x[0], y[0]));
      picked = picked.subList(0, targetRows);
    }
    double total = 0;
    for (int[] p : picked) {
      total += p[2] == 1 ? batch.get(p[3]).firstTokenWeight() : 1.0;
    }
    for (int k = 0; k < picked.size(); k++) {
      int[] p = picked.get(k);
      select[k * b * s + p[0]] = 1f;
      target[k * vocab + p[1]] = (float) ((p[2] == 1 ? batch.get(p[3]).firstTokenWeight() : 1.0) / total);
    }
    for (int i = 0; i < ids.length; i++) {
      oneHot[i * vocab + ids[i]] = 1f;
    }
    return Map.of(
        idsName, Nd4j.create(oneHot, new long[] {(long) b * s, vocab}, 'c'),
        selectName, Nd4j.create(select, new long[] {targetRows, (long) b * s}, 'c'),
        targetName, Nd4j.create(target, new long[] {targetRows, vocab}, 'c'));
  }
}
