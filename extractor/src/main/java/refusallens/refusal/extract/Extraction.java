package refusallens.refusal.extract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import refusallens.datasets.Prompt;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.HookName;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.progress.Progress;
import refusallens.core.io.ContentHash;
import refusallens.refusal.TemplateSpan;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

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
  private final PositionSummaries summaries;
  private Map<String, Boolean> jailbroken = Map.of();

  public Extraction(Transformer model, Tokenizer tokenizer, SaeSet saes, Options options) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.saes = saes;
    this.options = options;
    this.summaries = new PositionSummaries(tokenizer, saes);
    int n = model.config().shape().numLayers();
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
    int d = model.config().shape().dModel();
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
  public int run(List<Prompt> prompts, ActivationStoreWriter writer, Progress progress) {
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
    ForwardResult result = model.forward(new TokenBatch(ids), ForwardRequest.captureOnly(capture));
    return summaries.summarise(ids, result, tensors());
  }

  /** [from, to) token positions that a rule summarises in a prompt of {@code len} tokens. */
  int[] positionRange(PositionRule rule, int len) {
    return summaries.positionRange(rule, len);
  }

  /**
   * Model identity for a store header (and the check of a probe against a served model): the directory name
   * and a hash of the checkpoint files only ({@link #checkpointFiles}), so that files shipped beside the
   * model (SAEs, features.json, probe.json, reports) do not change which model it is.
   */
  public static Identity modelIdentity(Path modelDir) {
    return new Identity(modelDir.toAbsolutePath().normalize().getFileName().toString(),
        ContentHash.ofFiles(checkpointFiles(modelDir)));
  }

  /**
   * The files of an HF checkpoint directory that define the model: config, tokenizer files and weights
   * ({@code *.safetensors} and their index), sorted by name.
   */
  public static List<Path> checkpointFiles(Path modelDir) {
    try (Stream<Path> files = Files.list(modelDir)) {
      List<Path> out = files.filter(Files::isRegularFile).filter(f -> isCheckpointFile(f.getFileName().toString()))
          .sorted().toList();
      if (out.stream().noneMatch(f -> f.getFileName().toString().equals("config.json"))) {
        throw new IllegalArgumentException(modelDir + " is not a model directory (no config.json)");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(modelDir + ": cannot list the model files: " + e.getMessage(), e);
    }
  }

  private static boolean isCheckpointFile(String name) {
    return name.equals("config.json") || name.equals("generation_config.json") || name.startsWith("tokenizer")
        || name.equals("special_tokens_map.json") || name.endsWith(".safetensors")
        || name.endsWith(".safetensors.index.json");
  }

  /**
   * SAE-set identity for a store header (and the check of a probe against served SAEs): the sources as given
   * and a hash over each source directory's files, in order.
   */
  public static Identity saeIdentity(List<SaeSet.Source> sources) {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("an SAE identity needs at least one SAE source");
    }
    return new Identity(
        sources.stream().map(s -> s.layer().isPresent() ? s.layer().getAsInt() + "=" + s.dir() : s.dir().toString())
            .collect(Collectors.joining(",")),
        ContentHash.ofText(sources.stream().map(s -> ContentHash.ofDirectory(s.dir())).collect(Collectors.joining(","))));
  }
}
