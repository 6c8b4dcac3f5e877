package refusallens.core.model;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.core.io.SafetensorsCheckpoint;
import refusallens.core.model.arch.AttentionContext;
import refusallens.core.model.arch.DecoderShape;
import refusallens.core.model.arch.HfConfigJson;
import refusallens.core.model.arch.ModelConfig;
import refusallens.core.model.arch.RopeTables;
import refusallens.core.model.arch.TransformerDefinition;
import refusallens.core.model.ops.EagerOps;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.model.ops.PlainJavaOps;
import refusallens.core.model.ops.SameDiffOps;
import refusallens.core.model.ops.TensorOps;
import refusallens.core.model.weights.WeightStore;

/**
 * A loaded decoder-only chat model: immutable weights plus the architecture's one definition. Every
 * call builds its own mutable state (activations, masks, KV cache), so one instance serves many
 * threads. The eager path ({@link #forward}) serves inference and generation, on the one backend chosen
 * when the model is opened; {@link ResidGradients} runs the same definition for gradients.
 */
public final class Transformer {
  /** Additive mask value for hidden keys: large and finite so fully hidden (padding) rows stay finite. */
  public static final float MASKED = -1e30f;

  private final TransformerDefinition definition;
  private final WeightStore weights;
  private final RopeTables rope;
  private final int padId;
  private final Set<Integer> stopTokens;
  /** The config's file (or "config.json" for in-memory models), for messages. */
  private final String configSource;
  /**
   * Float copies of the weights for {@link PlainJavaOps}, each made on its first use and kept; shared by the
   * copies {@link #withBackend} makes.
   */
  private final PlainJavaOps.Weights floatWeights;
  /** The backend asked for when the model was opened. */
  private final Backend backend;
  /** How every eager pass (forward and generation) runs: resolved from {@link #backend} once, at open. */
  private final EagerPlan<?> plan;

  /** A model from a definition and weights already loaded, on the AUTO backend; stop tokens from config.json. */
  public Transformer(TransformerDefinition definition, WeightStore weights) {
    this(definition, weights, new LinkedHashSet<>(definition.config().shape().eosTokenIds()), "config.json",
        Backend.AUTO, new PlainJavaOps.Weights(weights));
  }

  private Transformer(TransformerDefinition definition, WeightStore weights, Set<Integer> stopTokens,
      String configSource, Backend backend, PlainJavaOps.Weights floatWeights) {
    this.backend = java.util.Objects.requireNonNull(backend, "backend");
    this.definition = definition;
    this.weights = weights;
    this.floatWeights = floatWeights;
    DecoderShape shape = definition.config().shape();
    this.plan = EagerPlan.of(backend, definition.config(), weights, floatWeights);
    this.rope = new RopeTables(shape.rope(), shape.headDim());
    this.padId = shape.padTokenId().orElse(0);
    this.stopTokens = Set.copyOf(stopTokens);
    this.configSource = configSource;
  }

  /** Opens a HF checkpoint directory with float32-resident weights on the AUTO backend. */
  public static Transformer open(Path dir) {
    return open(dir, WeightStore.Residency.RESIDENT, Backend.AUTO);
  }

  /** Opens a HF checkpoint directory on the AUTO backend; see {@link #open(Path, WeightStore.Residency, Backend)}. */
  public static Transformer open(Path dir, WeightStore.Residency residency) {
    return open(dir, residency, Backend.AUTO);
  }

  /**
   * Opens a HF checkpoint directory ({@code config.json} + single or sharded safetensors) whose eager passes
   * run on {@code backend}; every tensor the config implies is checked for presence and shape before any
   * compute.
   */
  public static Transformer open(Path dir, WeightStore.Residency residency, Backend backend) {
    ModelConfig config = ModelConfig.read(dir);
    TransformerDefinition def = config.architecture().definition(config);
    Path configFile = dir.resolve("config.json");
    SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir);
    WeightStore.requireNoLayersPast(ckpt, def.weightSpecs(), config.shape().numLayers(), configFile);
    WeightStore store;
    try {
      store = WeightStore.load(ckpt, def.weightSpecs(), residency);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(configFile + " and the checkpoint disagree: " + e.getMessage(), e);
    }
    if (residency == WeightStore.Residency.RESIDENT) {
      ckpt.close();
    }
    Set<Integer> stops = new LinkedHashSet<>(config.shape().eosTokenIds());
    Path genConfig = dir.resolve("generation_config.json");
    if (java.nio.file.Files.isRegularFile(genConfig)) {
      stops.addAll(HfConfigJson.read(genConfig).intOrIntList("eos_token_id"));
    }
    return new Transformer(def, store, stops, configFile.toString(), backend, new PlainJavaOps.Weights(store));
  }

  /** This model (the same weights and float copies) with every eager pass on {@code backend}. */
  public Transformer withBackend(Backend backend) {
    return backend == this.backend ? this
        : new Transformer(definition, weights, stopTokens, configSource, backend, floatWeights);
  }

  /** The backend chosen when this model was opened (see {@link #withBackend}). */
  public Backend backend() {
    return backend;
  }

  /** Which tensor backend runs the eager passes: {@link #forward} and generation (gradients have their own). */
  public enum Backend {
    /** ND4J (native BLAS and per-op kernels): fastest for large models, ~40+ us overhead per op. */
    ND4J,
    /**
     * {@link PlainJavaOps}: plain Java loops, no per-op overhead: fastest for small models. Keeps float
     * copies of the weights on the Java heap (linear weights twice: as stored and transposed).
     */
    PLAIN_JAVA,
    /** PLAIN_JAVA when the model is small ({@link #isSmall}), else ND4J. */
    AUTO;

    /** Parses {@code nd4j | plain-java (or jvm) | auto}; {@code where} names the source in the error. */
    public static Backend parse(String value, String where) {
      String v = value.trim().replace('-', '_');
      if (v.equalsIgnoreCase("jvm")) {
        return PLAIN_JAVA; // the documented value before the rename
      }
      for (Backend b : values()) {
        if (b.name().equalsIgnoreCase(v)) {
          return b;
        }
      }
      throw new IllegalArgumentException(where + ": '" + value + "' is not a runtime backend; expected nd4j, plain-java (jvm) or auto");
    }

    /** The name in JSON output (bench forward): {@code jvm} for PLAIN_JAVA, as before the rename. */
    public String wireName() {
      return this == PLAIN_JAVA ? "jvm" : name().toLowerCase();
    }
  }

  /**
   * Largest d_model that AUTO runs on the {@link PlainJavaOps} backend. ND4J costs a fixed ~40-120 us per
   * op on top of its arithmetic, the plain-Java loops reach ~1/2 to 1/3 of its BLAS rate: the loops win
   * while ops are small. Measured with {@code refusal-lens bench forward [--model DIR]} on the organism
   * shape widened (gemma2, 4 layers, MLP 4 d, head_dim 16, chat prompts of ~44 tokens; 2 loaded cores):
   * jvm/nd4j speed-up 5-7x at d 64 for one prompt and 1.6-1.8x for 16, 3.6x/1.3x at d 128, 1.9x/0.9x at
   * d 256, 1.1x/0.7x at d 512.
   */
  public static final int JVM_MAX_D_MODEL = 256;

  /** Whether AUTO picks the plain-Java backend for a model of this shape. */
  public static boolean isSmall(ModelConfig c) {
    return c.shape().dModel() <= JVM_MAX_D_MODEL;
  }

  /** The eager plan: package-private, for {@link GreedyGenerator}. */
  EagerPlan<?> plan() {
    return plan;
  }

  public ModelConfig config() {
    return definition.config();
  }

  public TransformerDefinition definition() {
    return definition;
  }

  public WeightStore weights() {
    return weights;
  }

  /**
   * One eager forward pass over a (left-padded) batch, on the backend chosen when the model was opened
   * ({@link #backend()}; by default plain Java loops for small models, ND4J otherwise). Logits and activations
   * come as FLOAT INDArrays whatever the backend; the request's hooks run as {@link EagerPlan} says.
   */
  public ForwardResult forward(TokenBatch batch, ForwardRequest request) {
    return forward(plan, batch, request);
  }

  /** {@link #forward(TokenBatch, ForwardRequest)} on {@code backend}: {@code withBackend(backend).forward(..)}. */
  public ForwardResult forward(TokenBatch batch, ForwardRequest request, Backend backend) {
    return withBackend(backend).forward(batch, request);
  }

  private <T> ForwardResult forward(EagerPlan<T> plan, TokenBatch batch, ForwardRequest request) {
    Chunk chunk = Chunk.prompt(batch, padId);
    Map<HookName, INDArray> captured = new HashMap<>();
    INDArray logits;
    if (plan instanceof EagerPlan.PlainJava plainJava && rowByRow(batch, request)) {
      logits = forwardRowByRow(plainJava.ops(), batch, request, captured);
    } else {
      Map<HookName, T> raw = new HashMap<>();
      T l = pass(plan.ops(), chunk, plan.hooks(request.hooks()), request.capture(), raw, request.logits(),
          KvCache.none(), request.lastSlotsOnly()).logits();
      raw.forEach((name, a) -> captured.put(name, fullSlots(plan.toNd4j(a), batch.size(), chunk.length())));
      logits = l == null ? null : plan.toNd4j(l);
    }
    Optional<INDArray> out = Optional.empty();
    if (request.logits() == LogitScope.ALL) {
      out = Optional.of(logits.reshape(batch.size(), chunk.length(), config().shape().vocabSize()));
    } else if (request.logits() == LogitScope.LAST) {
      out = Optional.of(logits);
    }
    return new ForwardResult(out, captured);
  }

  /**
   * Whether a plain-Java pass runs each row alone: when rows differ in length and no hook sees the batch,
   * so that no padding slot is computed (plain-Java matrix products gain nothing from a shared batch). With
   * logits for every slot, or hooks, the batch runs padded as usual.
   */
  private static boolean rowByRow(TokenBatch batch, ForwardRequest request) {
    if (batch.size() < 2 || !request.hooks().names().isEmpty() || request.logits() == LogitScope.ALL) {
      return false;
    }
    int len = batch.row(0).length;
    for (int b = 1; b < batch.size(); b++) {
      if (batch.row(b).length != len) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@link #forward} row by row on plain Java: captured activations are assembled left-padded [B, S, d]
   * like a batched pass's, with zeros in the padding slots (which no caller reads); last-slot logits [B,
   * vocab]. Returns the logits (null when none were asked for).
   */
  private INDArray forwardRowByRow(PlainJavaOps ops, TokenBatch batch, ForwardRequest request,
      Map<HookName, INDArray> captured) {
    int rows = batch.size();
    int s = batch.maxLength();
    int d = config().shape().dModel();
    Map<HookName, float[]> assembled = new HashMap<>();
    int vocab = config().shape().vocabSize();
    for (HookName name : request.capture()) {
      assembled.put(name, new float[rows * s * d]);
    }
    float[] logits = request.logits() == LogitScope.NONE ? null : new float[rows * vocab];
    // rows are independent: they run on the common pool, each computed exactly as it would be alone
    IntStream.range(0, rows).parallel().forEach(b -> {
      int[] ids = batch.row(b);
      Map<HookName, FloatTensor> floats = new HashMap<>();
      FloatTensor l = pass(ops, Chunk.prompt(TokenBatch.of(ids), padId), Hooks.none(), request.capture(), floats,
          request.logits(), KvCache.none(), request.lastSlotsOnly()).logits();
      // each capture's rows end at the row's last slot (a last-slot-only capture has one row)
      floats.forEach((name, a) -> System.arraycopy(a.data(), 0, assembled.get(name), (b * s + s) * d - a.data().length,
          a.data().length));
      if (logits != null) {
        System.arraycopy(l.data(), 0, logits, b * vocab, vocab);
      }
    });
    assembled.forEach((name, a) -> captured.put(name, Nd4j.create(a, new long[] {rows, s, d}, 'c')));
    return logits == null ? null : Nd4j.create(logits, new long[] {rows, vocab}, 'c');
  }

  /** A last-slot-only capture [B, 1, d] as [B, S, d] with zeros before the last slot; others unchanged. */
  private static INDArray fullSlots(INDArray a, int rows, int slots) {
    if (a.size(1) == slots) {
      return a;
    }
    INDArray full = Nd4j.zeros(a.dataType(), rows, slots, a.size(2));
    full.get(NDArrayIndex.all(), NDArrayIndex.point(slots - 1), NDArrayIndex.all())
        .assign(a.reshape(rows, a.size(2)));
    return full;
  }

  /** Logits [B, S, vocab] and the named activations [B, S, d] (TransformerLens {@code run_with_cache}). */
  public ForwardResult runWithCache(TokenBatch batch, Set<HookName> names) {
    return forward(batch, new ForwardRequest(names, Hooks.none(), LogitScope.ALL));
  }

  /** Logits [B, S, vocab] with {@code hooks} active for this call only. */
  public INDArray runWithHooks(TokenBatch batch, Hooks<INDArray> hooks) {
    return forward(batch, new ForwardRequest(Set.of(), hooks, LogitScope.ALL)).logits();
  }

  /** Mean next-token negative log-likelihood of each row's real tokens (the coherence metric). */
  public double[] crossEntropy(TokenBatch batch, Hooks<INDArray> hooks) {
    INDArray logits = forward(batch, new ForwardRequest(Set.of(), hooks, LogitScope.ALL)).logits();
    EagerOps ops = new EagerOps(weights);
    INDArray logProbs = ops.logSoftmax(logits, 2); // [B, S, V]
    int len = batch.maxLength();
    double[] out = new double[batch.size()];
    for (int b = 0; b < batch.size(); b++) {
      int[] row = batch.row(b);
      if (row.length < 2) {
        throw new IllegalArgumentException("cross-entropy needs at least 2 tokens, row " + b + " has " + row.length);
      }
      int pad = len - row.length;
      double nll = 0;
      for (int t = 0; t + 1 < row.length; t++) {
        nll -= logProbs.getDouble(b, pad + t, row[t + 1]);
      }
      out[b] = nll / (row.length - 1);
    }
    return out;
  }

  /** Cross-entropy of one token sequence. */
  public double crossEntropy(int[] ids, Hooks<INDArray> hooks) {
    return crossEntropy(TokenBatch.of(ids), hooks)[0];
  }

  /** Greedy decoding; see {@link GreedyGenerator}. */
  public List<int[]> generateGreedy(TokenBatch prompts, GenerationOptions options, Hooks<INDArray> hooks) {
    return new GreedyGenerator(this).generate(prompts, options, hooks);
  }

  /**
   * Logits [B * S, vocab] of a full pass over {@code batch} written with {@code ops}: with
   * {@link SameDiffOps} this builds the training graph of the same definition.
   */
  public <T> T logits(TensorOps<T> ops, TokenBatch batch, Hooks<T> hooks) {
    return pass(ops, Chunk.prompt(batch, padId), hooks, Set.of(), new HashMap<>(), LogitScope.ALL, KvCache.none(), false)
        .logits();
  }

  /**
   * The residual stream after the last layer [B * S, d] (before the final norm) of a full pass over
   * {@code batch} written with {@code ops}; {@code definition().unembed} turns chosen rows into logits.
   */
  public <T> T finalResidual(TensorOps<T> ops, TokenBatch batch, Hooks<T> hooks) {
    Set<HookName> last = Set.of(HookName.residPost(config().shape().numLayers() - 1));
    return pass(ops, Chunk.prompt(batch, padId), hooks, last, new HashMap<>(), LogitScope.NONE, KvCache.none(), false)
        .finalResid();
  }

  /** Stop tokens: config.json's {@code eos_token_id} plus generation_config.json's when present. */
  public Set<Integer> stopTokens() {
    return stopTokens;
  }

  int padId() {
    return padId;
  }

  /**
   * The slots one pass computes: {@code length} new slots starting at {@code start} of a left-padded
   * batch whose prompt ends at slot {@code promptEnd}.
   */
  record Chunk(int batch, int start, int length, int[] ids, int[] padLeft, int promptEnd) {
    static Chunk prompt(TokenBatch tb, int padId) {
      return new Chunk(tb.size(), 0, tb.maxLength(), tb.paddedIds(padId), tb.padLeft(), tb.maxLength());
    }

    int total() {
      return start + length;
    }

    /** Token position of every new slot ([B * length]); padding slots get 0. */
    int[] positions() {
      int[] pos = new int[batch * length];
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < length; s++) {
          pos[b * length + s] = Math.max(0, start + s - padLeft[b]);
        }
      }
      return pos;
    }

    /** Shape of the additive mask: [B, 1, 1, S, T]. */
    long[] maskShape() {
      return new long[] {batch, 1, 1, length, total()};
    }

    /** Additive mask ({@link #maskShape}, c-order): causal, no padding keys, optional sliding window. */
    float[] maskValues(OptionalInt window) {
      int t = total();
      float[] m = new float[batch * length * t];
      int i = 0;
      for (int b = 0; b < batch; b++) {
        for (int s = 0; s < length; s++) {
          int q = start + s;
          for (int k = 0; k < t; k++) {
            boolean visible = k <= q && k >= padLeft[b] && (window.isEmpty() || q - k < window.getAsInt());
            m[i++] = visible ? 0f : MASKED;
          }
        }
      }
      return m;
    }
  }

  /** Result of one pass: logits (if asked) and the residual stream after the last computed layer [N, d]. */
  record PassOutput<T>(T logits, T finalResid) {}

  /**
   * The forward pass written once for every backend: embed, layers with hook points, optional
   * unembedding. Layers after the deepest one needed are skipped when no logits are asked for; with
   * {@code lastSlotsOnly} the deepest layer computes each row's last slot only.
   */
  <T> PassOutput<T> pass(
      TensorOps<T> ops,
      Chunk chunk,
      Hooks<T> hooks,
      Set<HookName> capture,
      Map<HookName, T> captured,
      LogitScope logits,
      KvCache<T> cache,
      boolean lastSlotsOnly) {
    DecoderShape shape = config().shape();
    int layers = shape.numLayers();
    for (HookName n : capture) {
      requireLayer(n);
    }
    for (HookName n : hooks.names()) {
      requireLayer(n);
    }
    int last = layers - 1;
    if (logits == LogitScope.NONE) {
      last = -1;
      for (HookName n : capture) {
        last = Math.max(last, n.point() == HookName.Point.RESID_POST ? n.layer() : n.layer() - 1);
      }
    }
    int b = chunk.batch();
    int s = chunk.length();
    long n = (long) b * s;
    int d = shape.dModel();

    // rotary tables for the chunk's positions [N, 1, hd] and masks [B, 1, 1, S, T] per window
    int[] positions = chunk.positions();
    requireWithinPositions(positions);
    float[][] cosSin = rope.cosSinValues(positions);
    long[] ropeShape = {n, 1, shape.headDim()};
    Map<OptionalInt, float[]> maskValues = new HashMap<>();
    Map<OptionalInt, T> masks = new HashMap<>();
    for (int layer = 0; layer <= last; layer++) {
      OptionalInt w = definition.slidingWindow(layer);
      if (!masks.containsKey(w)) {
        maskValues.put(w, chunk.maskValues(w));
        masks.put(w, ops.constant(maskValues.get(w), chunk.maskShape()));
      }
    }
    AttentionContext<T> ctx = new AttentionContext<>(b, s, chunk.total(), ops.constant(cosSin[0], ropeShape),
        ops.constant(cosSin[1], ropeShape), ops.constant(rope.rotateHalfMatrix()), masks, cache, null);
    HookContext<T> hookCtx = new HookContext<>(ops, b, chunk.start(), s, chunk.padLeft(), chunk.promptEnd());
    AttentionContext<T> lastCtx = ctx;
    HookContext<T> lastHookCtx = hookCtx;
    if (lastSlotsOnly && s > 1 && last >= 0) {
      // the last slot's row of the pass's own rotary tables and masks
      int hd = shape.headDim();
      int t = chunk.total();
      int[] rows = new int[b];
      float[] qCos = new float[b * hd];
      float[] qSin = new float[b * hd];
      for (int i = 0; i < b; i++) {
        rows[i] = i * s + s - 1;
        System.arraycopy(cosSin[0], rows[i] * hd, qCos, i * hd, hd);
        System.arraycopy(cosSin[1], rows[i] * hd, qSin, i * hd, hd);
      }
      Map<OptionalInt, T> qMasks = new HashMap<>();
      maskValues.forEach((w, m) -> {
        float[] lastRow = new float[b * t]; // m is [B, S, T]
        for (int i = 0; i < b; i++) {
          System.arraycopy(m, rows[i] * t, lastRow, i * t, t);
        }
        qMasks.put(w, ops.constant(lastRow, b, 1, 1, 1, t));
      });
      long[] qShape = {b, 1, hd};
      lastCtx = ctx.withLastSlotQueries(new AttentionContext.Queries<>(rows, ops.constant(qCos, qShape),
          ops.constant(qSin, qShape), qMasks));
      lastHookCtx = new HookContext<>(ops, b, chunk.start() + s - 1, 1, chunk.padLeft(), chunk.promptEnd());
    }

    // token embeddings: hook_resid_pre of layer 0, [N, d]
    T resid = definition.embed(ops, chunk.ids());
    resid = hookPoint(ops, HookName.residPre(0), resid, hooks, capture, captured, hookCtx, d);
    for (int layer = 0; layer <= last; layer++) {
      if (layer > 0) {
        resid = hookPoint(ops, HookName.residPre(layer), resid, hooks, capture, captured, hookCtx, d);
      }
      // decoder layer: resid_pre [N, d] -> resid_post [N, d]
      boolean lastSlots = layer == last && lastCtx != ctx;
      resid = definition.block(ops, layer, resid, lastSlots ? lastCtx : ctx);
      resid = hookPoint(ops, HookName.residPost(layer), resid, hooks, capture, captured, lastSlots ? lastHookCtx : hookCtx, d);
      ops.releasePoint();
    }
    if (last + 1 < layers && last >= 0) {
      // early exit right before a captured resid_pre
      resid = hookPoint(ops, HookName.residPre(last + 1), resid, hooks, capture, captured, lastHookCtx, d);
    }
    // one check per pass, not per op: a NaN or infinity anywhere upstream reaches the last residual stream
    HookName lastPoint = last < 0 ? HookName.residPre(0) : HookName.residPost(last);
    requireFinite(ops, resid, lastPoint.toString());
    T out = null;
    if (logits == LogitScope.ALL) {
      out = definition.unembed(ops, resid); // [N, vocab]
    } else if (logits == LogitScope.LAST) {
      int[] lastRows = new int[b];
      for (int i = 0; i < b; i++) {
        lastRows[i] = i * s + s - 1;
      }
      out = definition.unembed(ops, ops.gatherRows(resid, lastRows)); // [B, vocab]
    }
    if (out != null) {
      requireFinite(ops, out, "logits");
    }
    return new PassOutput<>(out, resid);
  }

  /** A position past {@code max_position_embeddings} is refused: the model was never trained there. */
  private void requireWithinPositions(int[] positions) {
    int max = -1;
    for (int p : positions) {
      max = Math.max(max, p);
    }
    int limit = config().shape().maxPositionEmbeddings();
    if (max >= limit) {
      throw new IllegalArgumentException("a sequence of " + (max + 1) + " tokens is longer than max_position_embeddings "
          + limit + " in " + configSource + "; shorten the prompt (or generate fewer tokens)");
    }
  }

  /** Throws {@link NonFiniteActivationException} when {@code x} holds NaN or an infinity. */
  private static <T> void requireFinite(TensorOps<T> ops, T x, String point) {
    Optional<String> kind = ops.nonFinite(x);
    if (kind.isPresent()) {
      throw new NonFiniteActivationException(kind.get(), point);
    }
  }

  private void requireLayer(HookName name) {
    if (name.layer() >= config().shape().numLayers()) {
      throw new IllegalArgumentException(
          "hook " + name + " is past the model's last layer (" + (config().shape().numLayers() - 1) + ")");
    }
  }

  /** Presents resid [N, d] as [B, S, d] to the hooks and the capture, and returns the (replaced) stream. */
  private static <T> T hookPoint(
      TensorOps<T> ops, HookName name, T resid, Hooks<T> hooks, Set<HookName> capture,
      Map<HookName, T> captured, HookContext<T> ctx, int d) {
    boolean hooked = hooks.contains(name);
    boolean wanted = capture.contains(name);
    if (!hooked && !wanted) {
      return resid;
    }
    T act = ops.reshape(resid, ctx.batch(), ctx.chunkLength(), d);
    if (hooked) {
      act = hooks.apply(name, act, ctx);
    }
    if (wanted) {
      captured.put(name, act);
    }
    return ops.reshape(act, (long) ctx.batch() * ctx.chunkLength(), d);
  }

}
