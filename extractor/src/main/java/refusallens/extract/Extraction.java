package refusallens.extract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import refusallens.datasets.Prompt;
import refusallens.model.ForwardRequest;
import refusallens.model.ForwardResult;
import refusallens.model.HookName;
import refusallens.model.TokenBatch;
import refusallens.model.Transformer;
import refusallens.refusal.DiscoveryProgress;
import refusallens.refusal.TemplateSpan;
import refusallens.sae.Sae;
import refusallens.sae.SaeSet;
import refusallens.tokenizer.Tokenizer;

/**
 * {@code refusal-lens extract}: runs prompts through the model (chat template applied) and appends, per
 * prompt, {@code hook_resid_post} and SAE feature activations summarised by position rules to an
 * {@link ActivationStoreWriter}. Batched; resumes after the last complete shard of an existing store;
 * layers after the deepest requested one are not computed.
 */
public final class Extraction {

  /** Which SAE features to store: none, all of each SAE layer, or a per-layer list. */
  public record SaeFeatures(boolean all, Map<Integer, List<Integer>> lists) {
    public SaeFeatures {
      lists = lists == null ? Map.of() : Map.copyOf(lists);
      if (all && !lists.isEmpty()) {
        throw new IllegalArgumentException("SAE features: either all or a feature list, not both");
      }
    }

    public static final SaeFeatures NONE = new SaeFeatures(false, Map.of());
    public static final SaeFeatures ALL = new SaeFeatures(true, Map.of());

    /** Whether any SAE features are extracted. */
    public boolean any() {
      return all || !lists.isEmpty();
    }
  }

  /**
   * What to extract.
   *
   * @param layers layers of raw resid_post to store
   * @param positions position rules (each tensor is stored once per rule)
   * @param saeFeatures SAE activations to store (needs an SAE set)
   * @param batchSize prompts per forward pass, also the rows of one shard
   */
  public record Options(
      List<Integer> layers, List<PositionRule> positions, SaeFeatures saeFeatures, int batchSize, long seed) {
    public Options {
      layers = List.copyOf(layers);
      positions = List.copyOf(positions);
      Objects.requireNonNull(saeFeatures, "saeFeatures");
      if (positions.isEmpty()) {
        throw new IllegalArgumentException("extract needs at least one position rule");
      }
      if (layers.isEmpty() && !saeFeatures.any()) {
        throw new IllegalArgumentException("extract needs --layers or SAE features to store");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("--batch must be >= 1, got " + batchSize);
      }
    }
  }

  private final Transformer model;
  private final Tokenizer tokenizer;
  private final SaeSet saes; // may be null
  private final Options options;
  private final TemplateSpan span;
  private Map<String, Boolean> jailbroken = Map.of();

  public Extraction(Transformer model, Tokenizer tokenizer, SaeSet saes, Options options) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.saes = saes;
    this.options = options;
    this.span = TemplateSpan.of(tokenizer);
    int n = model.config().numLayers();
    for (int l : options.layers()) {
      if (l < 0 || l >= n) {
        throw new IllegalArgumentException("--layers: layer " + l + " outside the model's 0.." + (n - 1));
      }
    }
    if (options.saeFeatures().any()) {
      if (saes == null) {
        throw new IllegalArgumentException("SAE features requested but no SAE given (--sae)");
      }
      for (int l : options.saeFeatures().lists().keySet()) {
        if (!saes.contains(l)) {
          throw new IllegalArgumentException("feature list names layer " + l + " but the SAEs cover " + saes.layers());
        }
      }
    }
  }

  /**
   * Records, per prompt id, whether the model's own completion of that prompt was judged not refused (the
   * caller generates and judges: the judge lives above this module); rows of other prompts say "unknown".
   */
  public Extraction withJailbrokenFlags(Map<String, Boolean> flags) {
    this.jailbroken = Map.copyOf(flags);
    return this;
  }

  /** The tensors this extraction writes. */
  public List<StoreTensor> tensors() {
    List<StoreTensor> out = new ArrayList<>();
    int d = model.config().dModel();
    for (PositionRule rule : options.positions()) {
      for (int l : options.layers()) {
        out.add(StoreTensor.residPost(l, rule, d));
      }
      for (int l : saeLayers()) {
        List<Integer> list = options.saeFeatures().lists().get(l);
        out.add(list == null ? StoreTensor.saeActs(l, rule, saes.config(l).dSae())
            : StoreTensor.saeFeatures(l, rule, list));
      }
    }
    return out;
  }

  private Set<Integer> saeLayers() {
    if (!options.saeFeatures().any()) {
      return Set.of();
    }
    return options.saeFeatures().all() ? saes.layers() : new TreeSet<>(options.saeFeatures().lists().keySet());
  }

  /**
   * Extracts {@code prompts} (already sliced) into {@code writer}, skipping rows it already holds.
   *
   * @return the number of prompts extracted by this call
   */
  public int run(List<Prompt> prompts, ActivationStoreWriter writer, DiscoveryProgress progress) {
    int skip = writer.resumeFrom(prompts.stream().map(Prompt::id).toList());
    progress.start("extract", prompts.size());
    progress.step(skip);
    if (skip > 0) {
      progress.log("resuming after " + skip + " stored prompts");
    }
    Set<HookName> capture = new TreeSet<>();
    options.layers().forEach(l -> capture.add(HookName.residPost(l)));
    saeLayers().forEach(l -> capture.add(HookName.residPost(l)));
    int done = 0;
    for (int start = skip; start < prompts.size(); start += options.batchSize()) {
      List<Prompt> batch = prompts.subList(start, Math.min(prompts.size(), start + options.batchSize()));
      writer.append(rows(batch), extractBatch(batch, capture));
      done += batch.size();
      progress.step(batch.size());
    }
    progress.finish();
    return done;
  }

  private List<StoreRow> rows(List<Prompt> batch) {
    return batch.stream()
        .map(p -> new StoreRow(p.id(), p.label().name().toLowerCase(java.util.Locale.ROOT), p.category(),
            p.attack(), p.baseId(), jailbroken.get(p.id())))
        .toList();
  }

  /** Tensor name -> [batch, width] for one batch of prompts. */
  Map<String, float[][]> extractBatch(List<Prompt> batch, Set<HookName> capture) {
    List<int[]> ids = batch.stream().map(p -> TemplateSpan.encode(tokenizer, p)).toList();
    TokenBatch tokens = new TokenBatch(ids);
    ForwardResult result = model.forward(tokens, ForwardRequest.captureOnly(capture));
    Map<String, float[][]> out = new LinkedHashMap<>();
    for (StoreTensor t : tensors()) {
      out.put(t.name(), new float[batch.size()][]);
    }
    int padded = tokens.maxLength();
    for (int b = 0; b < batch.size(); b++) {
      int len = ids.get(b).length;
      int pad = padded - len;
      for (int layer : new TreeSet<>(capture.stream().map(HookName::layer).toList())) {
        INDArray full = result.activation(HookName.residPost(layer))
            .get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()).dup(); // [padded, d]
        INDArray resid = full.get(NDArrayIndex.interval(pad, padded), NDArrayIndex.all()).dup(); // [len, d]
        INDArray acts = null; // [len, m], computed once per row and layer
        for (StoreTensor t : tensors()) {
          if (t.layer() != layer) {
            continue;
          }
          int[] range = positionRange(t.position(), len);
          if (t.kind() == StoreTensor.Kind.RESID_POST) {
            out.get(t.name())[b] = summarise(resid, range);
          } else {
            if (acts == null) {
              Sae sae = saes.get(layer);
              acts = sae.encode(resid.dup());
            }
            INDArray cols = t.features() == null ? acts
                : acts.getColumns(t.features().stream().mapToInt(Integer::intValue).toArray());
            out.get(t.name())[b] = summarise(cols, range);
          }
        }
      }
    }
    return out;
  }

  /** [from, to) token positions that a rule summarises in a prompt of {@code len} tokens. */
  int[] positionRange(PositionRule rule, int len) {
    return switch (rule) {
      case LAST -> new int[] {len - 1, len};
      case POST_INSTRUCTION_MEAN -> new int[] {span.postInstructionStart(len), len};
      case PROMPT_MEAN -> new int[] {span.contentStart(len), len};
    };
  }

  private static float[] summarise(INDArray rows, int[] range) {
    if (range[1] <= range[0] || range[1] > rows.size(0)) {
      throw new IllegalStateException("empty position range " + range[0] + ".." + range[1] + " of " + rows.size(0));
    }
    INDArray slice = rows.get(NDArrayIndex.interval(range[0], range[1]), NDArrayIndex.all()).dup();
    return slice.mean(0).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector();
  }

  /** Model identity for a store header: directory name and a hash of its config and weights. */
  public static Identity modelIdentity(Path modelDir) {
    return new Identity(modelDir.toAbsolutePath().normalize().getFileName().toString(),
        refusallens.refusal.ContentHash.ofDirectory(modelDir));
  }
}
