package refusallens.organism;

import refusallens.files.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.datasets.Seeds;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SafetensorsWriter;
import refusallens.core.model.arch.ModelConfig;
import refusallens.core.model.Transformer;
import refusallens.core.model.arch.TransformerDefinition;
import refusallens.core.model.weights.WeightStore;
import refusallens.core.tokenizer.Tokenizer;

/**
 * {@code organism train}: corpus, BPE tokenizer, gemma2 chat model, TopK SAEs on every layer, report.
 * Each stage leaves files in the output directory; a run on an existing directory skips finished stages
 * and resumes model training from its last (atomic) checkpoint.
 */
public final class OrganismTrainer {
  /**
   * What to train; {@code data} (nullable) is a public datasets folder: organism v2, trained in two stages on real
   * public prompts plus the generator ({@link PublicChatCorpus}); null trains v1 on the generator alone.
   */
  public record Options(Path out, long seed, OrganismBudget budget, Path data) {
    public Options {
      if (out == null) {
        throw new IllegalArgumentException("--out is required");
      }
    }

    /** The v1 recipe (generator data only). */
    public Options(Path out, long seed, OrganismBudget budget) {
      this(out, seed, budget, null);
    }
  }

  /** The recipe name written to organism-run.json by a run with {@code --data}. */
  static final String PUBLIC_RECIPE = "public-data-v2";

  static final String STATE_FILE = "train-state.safetensors";
  static final String REPORT_FILE = "training-report.json";
  static final String SAE_DIR = "saes";
  static final String MODEL_NAME = "refusal-organism";
  private static final int CHECKPOINT_EVERY = 50;
  /** Validation conversations for held-out CE and SAE metrics. */
  static final int HELD_OUT = 96;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Options options;
  private final OrganismBudget.Spec spec;
  private final Map<String, Object> timings = new TreeMap<>();

  public OrganismTrainer(Options options) {
    this.options = options;
    this.spec = options.data() == null ? options.budget().spec() : options.budget().publicData().spec();
  }

  /** Runs every unfinished stage; returns the report. */
  public JsonNode run() {
    Path out = options.out();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create --out " + out, e);
    }
    checkSameRun(out);
    if (options.data() != null) {
      return runPublic(out);
    }
    long t0 = System.nanoTime();
    List<ChatCorpus.Conversation> corpus =
        ChatCorpus.build(options.seed(), spec.perLabel(), spec.instructions(), spec.grammarPairs());
    log("corpus: " + corpus.size() + " training conversations");
    Tokenizer tokenizer = tokenizer(out, corpus);
    timings.put("tokenizer_s", seconds(t0));
    ConversationEncoder encoder = new ConversationEncoder(tokenizer);
    List<ChatModelTrainer.Example> examples = new ArrayList<>();
    for (ChatCorpus.Conversation c : corpus) {
      examples.add(encoder.encode(c));
    }
    long t1 = System.nanoTime();
    List<ChatModelTrainer.Example> val =
        ChatCorpus.heldOut(options.seed(), spec.perLabel(), new ConversationEncoder(tokenizer), HELD_OUT);
    ValidationDecisions selection =
        ValidationDecisions.of(new ConversationEncoder(tokenizer), options.seed(), spec.perLabel(), VAL_PROMPTS);
    ModelTraining trained = model(new Stage("", out, spec.steps(), spec.learningRate(), null, true),
        tokenizer, examples, selection, val);
    timings.put("model_s", seconds(t1));
    long t2 = System.nanoTime();
    Transformer model = Transformer.open(out);
    List<ChatModelTrainer.Example> heldOut = ChatCorpus.heldOut(options.seed(), spec.perLabel(), encoder, HELD_OUT);
    List<OrganismSaes.LayerMetrics> metrics = saes(out, model, examples, heldOut);
    timings.put("saes_s", seconds(t2));
    timings.put("total_s", seconds(t0));
    ObjectNode report = report(trained, metrics);
    return writeReport(out, report);
  }

  private JsonNode writeReport(Path out, ObjectNode report) {
    AtomicFiles.writeJson(out.resolve(REPORT_FILE), report);
    return report;
  }

  /**
   * Organism v2: stage 1 (every request answered, harmful ones with their compliance opener) written as a loadable
   * model in {@code stage1/}, stage 2 (harmful requests refused) fine-tuned from it into {@code out}, SAEs on
   * every layer of the stage-2 model. Stage 1 keeps its last checkpoint; stage 2 is selected on harmful_val /
   * harmless_val and generator VAL only.
   */
  private JsonNode runPublic(Path out) {
    long t0 = System.nanoTime();
    OrganismBudget.PublicData pd = options.budget().publicData();
    PublicChatCorpus.Stages stages = PublicChatCorpus.build(options.data(), options.seed(), spec, pd);
    log("corpus v2: stage 1 " + stages.stage1().size() + ", stage 2 " + stages.stage2().size() + " conversations " + stages.counts());
    List<ChatCorpus.Conversation> all = new ArrayList<>(stages.stage1());
    all.addAll(stages.stage2());
    Tokenizer tokenizer = tokenizer(out, all);
    timings.put("tokenizer_s", seconds(t0));
    ConversationEncoder encoder = new ConversationEncoder(tokenizer);
    List<ChatModelTrainer.Example> ex1 = stages.stage1().stream().map(encoder::encode).toList();
    List<ChatModelTrainer.Example> ex2 = stages.stage2().stream().map(encoder::encode).toList();
    List<ChatModelTrainer.Example> val = ChatCorpus.heldOut(options.seed(), spec.perLabel(), encoder, HELD_OUT);
    ValidationDecisions selection = ValidationDecisions.of(encoder, options.seed(), spec.perLabel(), VAL_PROMPTS,
        stages.selectionHarmful(), stages.selectionHarmless());
    long t1 = System.nanoTime();
    Path stage1Dir = out.resolve(STAGE1_DIR);
    ModelTraining s1 = model(new Stage("stage1", stage1Dir, spec.steps(), spec.learningRate(), null, false),
        tokenizer, ex1, selection, val);
    copyRunFiles(out, stage1Dir);
    timings.put("stage1_s", seconds(t1));
    long t2 = System.nanoTime();
    Map<String, INDArray> fromStage1 = Selected.weights(stage1Dir.resolve("train-state").resolve(BEST_FILE));
    ModelTraining s2 = model(new Stage("stage2", out, pd.stage2Steps(), pd.stage2LearningRate(), fromStage1, true),
        tokenizer, ex2, selection, val);
    timings.put("stage2_s", seconds(t2));
    long t3 = System.nanoTime();
    List<OrganismSaes.LayerMetrics> metrics = saes(out, Transformer.open(out), ex2, val);
    timings.put("saes_s", seconds(t3));
    timings.put("total_s", seconds(t0));
    ObjectNode report = report(s2, metrics);
    report.put("recipe", PUBLIC_RECIPE);
    report.put("data", options.data().toString());
    report.set("stage1", stageJson(s1));
    report.set("stage2", stageJson(s2));
    ObjectNode c = report.putObject("corpus");
    stages.counts().forEach(c::put);
    c.put("stage1_conversations", stages.stage1().size());
    c.put("stage2_conversations", stages.stage2().size());
    return writeReport(out, report);
  }

  static final String STAGE1_DIR = "stage1";

  private static ObjectNode stageJson(ModelTraining t) {
    ObjectNode o = JSON.createObjectNode();
    o.put("steps", t.steps());
    o.put("selected_step", t.selectedStep());
    o.put("final_train_loss", t.finalLoss());
    o.put("held_out_assistant_ce", t.heldOutLoss());
    o.put("val_first_token_refusal", t.valRefusal());
    o.put("val_first_token_compliance", t.valCompliance());
    return o;
  }

  /** Makes {@code stageDir} a loadable organism: the tokenizer files and run file of {@code out}. */
  private static void copyRunFiles(Path out, Path stageDir) {
    try (var files = Files.list(out)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        if (Files.isRegularFile(f) && (n.startsWith("tokenizer") || n.equals("special_tokens_map.json")
            || n.equals("organism-run.json"))) {
          Files.copy(f, stageDir.resolve(n), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the tokenizer into " + stageDir, e);
    }
  }

  /** Refuses to resume a directory trained with another seed or budget. */
  private void checkSameRun(Path out) {
    Path run = out.resolve("organism-run.json");
    ObjectNode want = JSON.createObjectNode();
    want.put("schemaVersion", 1);
    want.put("seed", options.seed());
    want.put("budget", options.budget().wireName());
    String recipe = options.data() == null ? "generator" : PUBLIC_RECIPE;
    if (options.data() != null) {
      want.put("recipe", recipe);
    }
    try {
      if (Files.isRegularFile(run)) {
        JsonNode have = JSON.readTree(run.toFile());
        boolean same = have.path("seed").asLong() == options.seed()
            && options.budget().wireName().equals(have.path("budget").asText())
            && recipe.equals(have.path("recipe").asText("generator"));
        if (!same) {
          throw new IllegalArgumentException(
              "--out " + out + " holds a run with " + have + "; resume it with the same --seed, --budget and --data"
                  + " (or none) or use a new directory");
        }
      } else {
        AtomicFiles.writeJson(run, want);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + run, e);
    }
  }

  private Tokenizer tokenizer(Path out, List<ChatCorpus.Conversation> corpus) {
    if (!Files.isRegularFile(out.resolve("tokenizer.json")) || !Files.isRegularFile(out.resolve("tokenizer_config.json"))) {
      List<String> texts = new ArrayList<>();
      for (ChatCorpus.Conversation c : corpus) {
        texts.add(c.user());
        texts.add(c.assistant());
      }
      texts.add("user\nmodel\n");
      GemmaBpeTrainer.Vocabulary v = GemmaBpeTrainer.train(texts, spec.vocabSize(), 2);
      GemmaBpeTrainer.write(v, out);
      log("tokenizer: " + v.size() + " tokens, " + v.merges().size() + " merges");
    }
    return Tokenizer.load(out);
  }

  /** Result of a model stage. */
  record ModelTraining(int steps, double finalLoss, double heldOutLoss, int selectedStep, double valRefusal,
      double valCompliance) {}

  /**
   * One model training stage.
   *
   * @param name "" for v1 (its batches keep their seeds), else the stage name (seeds its own batch order)
   * @param out where the stage's model, config and model-training.json go (train-state/ below it)
   * @param initial starting weights; null = the seeded random initialisation
   * @param select whether the written checkpoint is the best on validation (else the last one)
   */
  record Stage(String name, Path out, int steps, double learningRate, Map<String, INDArray> initial, boolean select) {}

  private ModelTraining model(Stage st, Tokenizer tokenizer, List<ChatModelTrainer.Example> examples,
      ValidationDecisions selection, List<ChatModelTrainer.Example> val) {
    Path out = st.out();
    Path report = out.resolve("model-training.json");
    if (Files.isRegularFile(report) && Files.isRegularFile(out.resolve("model.safetensors"))) {
      try {
        JsonNode r = JSON.readTree(report.toFile());
        return new ModelTraining(r.get("steps").asInt(), r.get("final_loss").asDouble(), r.get("held_out_loss").asDouble(),
            r.path("selected_step").asInt(), r.path("val_first_token_refusal").asDouble(),
            r.path("val_first_token_compliance").asDouble());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + report, e);
      }
    }
    ObjectNode configJson = ChatModelFiles.configJson(spec, tokenizer.vocabSize());
    Path stageDir = out.resolve("train-state");
    ModelConfig config = ChatModelFiles.parse(configJson, stageDir);
    TransformerDefinition def = config.architecture().definition(config);
    ChatModelTrainer.Options topts = new ChatModelTrainer.Options(
        spec.batchSize(), spec.seqLen(), st.steps(), st.learningRate(), Math.max(1, st.steps() / 20), 1.0);
    Path statePath = stageDir.resolve(STATE_FILE);
    int startStep = 0;
    Map<String, INDArray> weights;
    ChatModelTrainer.AdamState adam = null;
    double ema = Double.NaN; // running mean of the training loss, reported as final_loss
    if (Files.isRegularFile(statePath)) {
      try (SafetensorsFile f = SafetensorsFile.open(statePath)) {
        startStep = Integer.parseInt(f.metadata().get("step"));
        ema = lossEma(f.metadata(), statePath);
        weights = new TreeMap<>();
        Map<String, INDArray> m = new TreeMap<>();
        Map<String, INDArray> v = new TreeMap<>();
        for (String name : f.names()) {
          INDArray a = f.getFloat(name).dup();
          if (name.startsWith("adam_m.")) {
            m.put(name.substring(7), a);
          } else if (name.startsWith("adam_v.")) {
            v.put(name.substring(7), a);
          } else {
            weights.put(name, a);
          }
        }
        adam = new ChatModelTrainer.AdamState(m, v);
      }
      log("model: resuming from step " + startStep);
    } else if (st.initial() != null) {
      weights = copy(st.initial());
    } else {
      weights = ChatModelFiles.initialWeights(def, Seeds.derive(options.seed(), "organism", "init"));
    }
    ChatModelTrainer trainer = new ChatModelTrainer(def, weights, adam, topts);
    List<ChatModelTrainer.Example> train = examples;
    int b = spec.batchSize();
    double loss = Double.NaN;
    // model selection on VAL frames (never trained on, disjoint from the TEST frames of the targets): the
    // checkpoint whose first-token decisions are best on both labels is the one written, since a longer run
    // memorises its training frames and starts refusing harmless requests in unseen ones
    Path bestPath = stageDir.resolve(BEST_FILE);
    Selected best = Selected.read(bestPath);
    int steps = st.steps();
    try (ProgressBar pb = progress(st.name().isEmpty() ? "model" : st.name(), steps)) {
      pb.stepTo(startStep);
      for (int step = startStep + 1; step <= steps; step++) {
        loss = trainer.step(withPromptNoise(batch(train, step, b, st.name()), options.seed(), step, spec.promptNoise(),
            tokenizer.vocabSize()), step);
        ema = Double.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
        pb.stepTo(step);
        if (step % checkpointEvery(steps) == 0 || step == steps) {
          ValidationDecisions.Score score = selection.score(new Transformer(def, WeightStore.of(copy(trainer.weights()))));
          if (best == null || !st.select() || score.balanced() >= best.balanced()) {
            best = new Selected(step, score.refusal(), score.compliance());
            best.write(bestPath, trainer.weights());
          }
          pb.setExtraMessage(String.format("loss %.3f val %.2f/%.2f best@%d", ema, score.refusal(), score.compliance(), best.step()));
          if (step < steps) {
            saveState(statePath, trainer, step, ema);
          }
        } else {
          pb.setExtraMessage(String.format("loss %.3f", ema));
        }
      }
    }
    if (best == null) {
      throw new IllegalStateException("no validated checkpoint in " + bestPath);
    }
    log(String.format("model%s: %s step %d (VAL first-token refusal %.3f, compliance %.3f)",
        st.name().isEmpty() ? "" : " " + st.name(), st.select() ? "selected" : "last", best.step(), best.refusal(),
        best.compliance()));
    // the shipped bfloat16 checkpoint, reloaded through the runtime for the held-out loss
    ChatModelFiles.write(out, configJson, Selected.weights(bestPath), true);
    Transformer reloaded = Transformer.open(out);
    double heldOut = AssistantCrossEntropy.of(reloaded, val, refusallens.core.model.Hooks.none(), 16);
    ModelTraining result = new ModelTraining(steps, ema, heldOut, best.step(), best.refusal(), best.compliance());
    ObjectNode r = JSON.createObjectNode();
    r.put("schemaVersion", 1);
    r.put("steps", result.steps());
    r.put("final_loss", result.finalLoss());
    r.put("held_out_loss", result.heldOutLoss());
    r.put("resumed_from_step", startStep);
    r.put("selected_step", best.step());
    r.put("val_first_token_refusal", best.refusal());
    r.put("val_first_token_compliance", best.compliance());
    r.put("val_prompts_per_label", VAL_PROMPTS);
    AtomicFiles.writeJson(report, r);
    log(String.format("model: %d steps, train loss %.4f, held-out assistant CE %.4f", result.steps(), ema, heldOut));
    return result;
  }

  static final String BEST_FILE = "best.safetensors";
  /** VAL prompts per label of the model selection. */
  static final int VAL_PROMPTS = 96;

  /** The selected checkpoint's step and validation rates (kept with its weights, so a resumed run keeps it). */
  record Selected(int step, double refusal, double compliance) {
    double balanced() {
      return Math.min(refusal, compliance);
    }

    void write(Path path, Map<String, INDArray> weights) {
      SafetensorsWriter w = new SafetensorsWriter();
      weights.forEach(w::putF32);
      w.metadata("step", Integer.toString(step));
      w.metadata("val_refusal", Double.toString(refusal));
      w.metadata("val_compliance", Double.toString(compliance));
      w.write(path);
    }

    static Selected read(Path path) {
      if (!Files.isRegularFile(path)) {
        return null;
      }
      try (SafetensorsFile f = SafetensorsFile.open(path)) {
        Map<String, String> m = f.metadata();
        return new Selected(Integer.parseInt(m.get("step")), Double.parseDouble(m.get("val_refusal")),
            Double.parseDouble(m.get("val_compliance")));
      }
    }

    static Map<String, INDArray> weights(Path path) {
      Map<String, INDArray> out = new TreeMap<>();
      try (SafetensorsFile f = SafetensorsFile.open(path)) {
        for (String name : f.names()) {
          out.put(name, f.getFloat(name).dup());
        }
      }
      return out;
    }
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> weights) {
    Map<String, INDArray> out = new TreeMap<>();
    weights.forEach((n, a) -> out.put(n, a.dup()));
    return out;
  }

  /** Steps between checkpoints: 50, or a quarter of a short run so even the tiny budget checkpoints. */
  private static int checkpointEvery(int steps) {
    return Math.max(1, Math.min(CHECKPOINT_EVERY, steps / 4));
  }

  /** The examples of {@code step}: epoch-wise shuffles seeded by (seed, epoch), so a resumed run sees the same batches. */
  private List<ChatModelTrainer.Example> batch(List<ChatModelTrainer.Example> all, int step, int b, String stage) {
    long first = (long) (step - 1) * b;
    List<ChatModelTrainer.Example> out = new ArrayList<>();
    Map<Long, List<Integer>> orders = new HashMap<>();
    for (long i = first; i < first + b; i++) {
      long epoch = i / all.size();
      List<Integer> order = orders.computeIfAbsent(epoch, e -> {
        List<Integer> o = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
          o.add(k);
        }
        Collections.shuffle(o, stage.isEmpty()
            ? Seeds.random(options.seed(), "organism", "epoch", Long.toString(e))
            : Seeds.random(options.seed(), "organism", stage, "epoch", Long.toString(e)));
        return o;
      });
      out.add(all.get(order.get((int) (i % all.size()))));
    }
    return out;
  }

  /**
   * The batch with each user-turn token replaced, with probability {@code share}, by a random non-special
   * token (seeded by step, so a resumed run sees the same noise). In a 1024-token vocabulary a word the organism
   * never read falls apart into rare pieces, as harmful tasks' rare words do; random pieces in both labels'
   * requests teach that such pieces do not decide. With the answers' first-token weight it raised TEST refusal
   * from 0.933 to 0.979; compliance moved with the frame grammar (MODEL_CARD.md).
   */
  static List<ChatModelTrainer.Example> withPromptNoise(
      List<ChatModelTrainer.Example> batch, long seed, int step, double share, int vocabSize) {
    if (share <= 0) {
      return batch;
    }
    Random r = Seeds.random(seed, "organism", "noise", Integer.toString(step));
    int specials = GemmaBpeTrainer.SPECIALS.size();
    List<ChatModelTrainer.Example> out = new ArrayList<>();
    for (ChatModelTrainer.Example e : batch) {
      int[] ids = e.ids().clone();
      for (int t = e.userStart(); t < e.userEnd(); t++) {
        if (r.nextDouble() < share) {
          ids[t] = specials + r.nextInt(vocabSize - specials);
        }
      }
      out.add(e.withIds(ids));
    }
    return out;
  }

  /** Metadata key of the training loss's running mean in the training state (a resumed run continues it). */
  static final String LOSS_EMA = "train_loss_ema";

  private static void saveState(Path path, ChatModelTrainer trainer, int step, double lossEma) {
    SafetensorsWriter w = new SafetensorsWriter();
    trainer.weights().forEach(w::putF32);
    trainer.adamState().m().forEach((n, a) -> w.putF32("adam_m." + n, a));
    trainer.adamState().v().forEach((n, a) -> w.putF32("adam_v." + n, a));
    w.metadata("step", Integer.toString(step));
    // exact (round-trip) text of the double: the resumed run's final_loss equals the uninterrupted one's
    w.metadata(LOSS_EMA, Double.toString(lossEma));
    w.write(path);
  }

  /**
   * The running mean saved with a training state; a state written before it was saved cannot give a true
   * final loss, so it is an error naming the file rather than a restarted (wrong) mean.
   */
  static double lossEma(Map<String, String> metadata, Path state) {
    String v = metadata.get(LOSS_EMA);
    if (v == null) {
      throw new IllegalStateException(state + ": training state without '" + LOSS_EMA + "' (written by an older"
          + " version); delete it to retrain the model from step 0, or use a new --out");
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalStateException(state + ": metadata '" + LOSS_EMA + "' is not a number: '" + v + "'", e);
    }
  }

  private List<OrganismSaes.LayerMetrics> saes(
      Path out, Transformer model, List<ChatModelTrainer.Example> train, List<ChatModelTrainer.Example> heldOut) {
    Path saeDir = out.resolve(SAE_DIR);
    int layers = model.config().shape().numLayers();
    INDArray[] acts = null;
    INDArray[] heldActs = OrganismSaes.collect(model, heldOut, Integer.MAX_VALUE, 16);
    double clean = AssistantCrossEntropy.of(model, heldOut, refusallens.core.model.Hooks.none(), 16);
    List<OrganismSaes.LayerMetrics> metrics = new ArrayList<>();
    for (int layer = 0; layer < layers; layer++) {
      Path dir = OrganismSaes.layerDir(saeDir, layer);
      TopKSaeTrainer.Weights w;
      if (OrganismSaes.exists(dir)) {
        w = OrganismSaes.read(dir);
      } else {
        if (acts == null) {
          log("saes: collecting activations");
          acts = OrganismSaes.collect(model, train, spec.saeTokens(), 32);
        }
        TopKSaeTrainer.Options o = new TopKSaeTrainer.Options(
            8 * model.config().shape().dModel(), spec.saeK(), spec.saeSteps(), 256, 1e-3, 2 * spec.saeK(),
            Seeds.derive(options.seed(), "organism", "sae", Integer.toString(layer)));
        try (ProgressBar pb = progress("sae L" + layer, spec.saeSteps())) {
          w = new TopKSaeTrainer(o).train(acts[layer], pb::stepTo);
        }
        OrganismSaes.write(dir, w, layer, MODEL_NAME);
      }
      OrganismSaes.LayerMetrics m = OrganismSaes.metrics(model, w, layer, heldOut, heldActs[layer], clean);
      metrics.add(m);
      log(String.format("sae L%d: fvu %.4f, L0 %.1f, dead %.3f, delta CE %.4f", layer, m.fvu(), m.l0(), m.deadFraction(), m.deltaCe()));
    }
    return metrics;
  }

  private ObjectNode report(ModelTraining trained, List<OrganismSaes.LayerMetrics> metrics) {
    ObjectNode r = JSON.createObjectNode();
    r.put("schemaVersion", 1);
    r.put("seed", options.seed());
    r.put("budget", options.budget().wireName());
    ObjectNode model = r.putObject("model");
    model.put("steps", trained.steps());
    model.put("final_train_loss", trained.finalLoss());
    model.put("held_out_assistant_ce", trained.heldOutLoss());
    ObjectNode sae = r.putObject("sae");
    for (OrganismSaes.LayerMetrics m : metrics) {
      ObjectNode l = sae.putObject(Integer.toString(m.layer()));
      l.put("fvu", m.fvu());
      l.put("l0", m.l0());
      l.put("dead_fraction", m.deadFraction());
      l.put("clean_ce", m.cleanCe());
      l.put("spliced_ce", m.splicedCe());
      l.put("delta_ce", m.deltaCe());
    }
    ObjectNode t = r.putObject("timings");
    timings.forEach((k, v) -> t.putPOJO(k, v));
    return r;
  }

  private static ProgressBar progress(String task, long max) {
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(max)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(1000)
        .build();
  }

  private static double seconds(long since) {
    return Math.round((System.nanoTime() - since) / 1e8) / 10.0;
  }

  private static void log(String s) {
    System.err.println("organism: " + s);
  }
}
