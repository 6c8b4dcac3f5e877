package refusallens.lens;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.chat.ChatMessage;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.InterventionHooks;
import refusallens.core.intervention.InterventionSpec;
import refusallens.core.model.EagerHook;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.model.ForwardRequest;
import refusallens.core.model.ForwardResult;
import refusallens.core.model.GenerationOptions;
import refusallens.core.model.HookName;
import refusallens.core.model.Hooks;
import refusallens.core.model.ops.TapeOps;
import refusallens.core.model.LogProbMetric;
import refusallens.core.model.LogitScope;
import refusallens.core.model.ResidGradients;
import refusallens.core.model.TokenBatch;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * The library's entry point (TransformerLens {@code HookedSAETransformer}): a chat model, its tokenizer and
 * optionally its SAEs, opened together in one line, for tokenizing, running with a cache of model and SAE hook
 * points, generating under an intervention, and gradients of a metric. Immutable: {@link #withSaes} returns a new
 * lens sharing the model; one lens serves many threads.
 *
 * <pre>{@code
 * Lens lens = Lens.organism().withSaes(Organism.defaultSaeDir());
 * ActivationCache cache = lens.runWithCache(lens.chat("How do I bake bread?"),
 *     "blocks.2.hook_resid_post", "blocks.2.hook_resid_post.hook_sae_acts_post");
 * }</pre>
 */
public final class Lens {
  /** The folder of a model directory that holds its SAEs (the organism's layout). */
  public static final String SAE_FOLDER = "saes";

  private final Path modelDir;
  private final LensOptions options;
  private final Transformer model;
  /** Loaded on first use: a model directory without tokenizer files still runs on token ids. */
  private volatile Tokenizer tokenizer;
  private final SaeSet saes; // null: no SAEs
  private final List<SaeSet.Source> saeSources;

  private Lens(Path modelDir, LensOptions options, Transformer model, Tokenizer tokenizer, SaeSet saes,
      List<SaeSet.Source> saeSources) {
    this.modelDir = modelDir;
    this.options = options;
    this.model = model;
    this.tokenizer = tokenizer;
    this.saes = saes;
    this.saeSources = List.copyOf(saeSources);
  }

  /** Opens the HF checkpoint directory {@code modelDir} (the embedded organism when null) with default options. */
  public static Lens open(Path modelDir) {
    return open(modelDir, LensOptions.defaults());
  }

  /**
   * Opens the HF checkpoint directory {@code modelDir} (config.json, safetensors, tokenizer files; the embedded
   * organism when null): the backend and weight residency are decided here, once.
   */
  public static Lens open(Path modelDir, LensOptions options) {
    Path dir = Organism.modelOrDefault(modelDir);
    Transformer model = Transformer.open(dir, options.residency(), options.backend());
    return new Lens(dir, options, model, null, null, List.of());
  }

  /** The embedded organism (model and tokenizer; add its SAEs with {@link #withDefaultSaes()}). */
  public static Lens organism() {
    return open(null);
  }

  /** This model with the SAEs in {@code dirs} (each one SAE or a directory of them), checked against the model. */
  public Lens withSaes(Path... dirs) {
    return withSaeSources(Arrays.stream(dirs).map(d -> new SaeSet.Source(d, java.util.OptionalInt.empty())).toList());
  }

  /** This model with the SAEs of {@code --sae} style specs ({@code DIR} or {@code LAYER=DIR}, or SAELens ids). */
  public Lens withSaes(List<String> specs) {
    return withSaeSources(specs.stream().map(SaeSet.Source::parse).toList());
  }

  /** This model with the SAEs of {@code sources}: d_model and the layer count come from the model. */
  public Lens withSaeSources(List<SaeSet.Source> sources) {
    SaeSet set =
        SaeSet.open(sources, model.config().shape().dModel(), model.config().shape().numLayers(), options.saes());
    return new Lens(modelDir, options, model, tokenizer, set, sources);
  }

  /** This model with the SAEs of {@code specs}, or of the model directory's {@code saes/} folder when empty. */
  public Lens withSaesOrDefault(List<String> specs) {
    return specs.isEmpty() ? withDefaultSaes() : withSaes(specs);
  }

  /** This model with the SAEs of its directory's {@code saes/} folder (the organism's layout). */
  public Lens withDefaultSaes() {
    return withSaes(modelDir.resolve(SAE_FOLDER));
  }

  public Path modelDir() {
    return modelDir;
  }

  public LensOptions options() {
    return options;
  }

  public Transformer model() {
    return model;
  }

  /** The tokenizer of the model directory (tokenizer.json, tokenizer_config.json), loaded on first use. */
  public Tokenizer tokenizer() {
    Tokenizer t = tokenizer;
    if (t == null) {
      synchronized (this) {
        t = tokenizer;
        if (t == null) {
          t = Tokenizer.load(modelDir);
          tokenizer = t;
        }
      }
    }
    return t;
  }

  /** Whether SAEs were added. */
  public boolean hasSaes() {
    return saes != null;
  }

  /** The SAEs; an error when none were added. */
  public SaeSet saes() {
    if (saes == null) {
      throw new IllegalStateException("no SAEs: open them with Lens.withSaes(...)");
    }
    return saes;
  }

  /** Where the SAEs came from (empty without SAEs). */
  public List<SaeSet.Source> saeSources() {
    return saeSources;
  }

  /** The SAE folders (empty without SAEs). */
  public List<Path> saeDirs() {
    return saeSources.stream().map(SaeSet.Source::dir).toList();
  }

  /** One user turn rendered with the chat template and the generation prompt, as token ids. */
  public int[] chat(String userText) {
    return chat(List.of(new ChatMessage("user", userText)));
  }

  /** A conversation rendered with the chat template and the generation prompt, as token ids. */
  public int[] chat(List<ChatMessage> messages) {
    return tokenizer().encodeChat(messages, true);
  }

  /** Token ids as text, special tokens skipped. */
  public String decode(int[] ids) {
    return tokenizer().decode(ids, true);
  }

  /** {@link #runWithCache(TokenBatch, Collection, Hooks)} of one sequence without hooks. */
  public ActivationCache runWithCache(int[] tokens, String... names) {
    return runWithCache(TokenBatch.of(tokens), Arrays.asList(names), Hooks.none());
  }

  /**
   * One forward pass with {@code hooks} active, caching logits and the activations {@code names} asks for:
   * model hook points ({@code blocks.L.hook_resid_post}) and SAE hook points below them ({@code
   * .hook_sae_acts_post}, {@code .hook_sae_recons}, {@code .hook_sae_error}), the SAE ones computed from the
   * same pass (after the hooks) by the SAE at that point, which observes and leaves the stream as it is.
   */
  public ActivationCache runWithCache(TokenBatch batch, Collection<String> names, Hooks<INDArray> hooks) {
    List<CacheName> parsed = new ArrayList<>(new LinkedHashSet<>(names.stream().map(CacheName::parse).toList()));
    Set<HookName> capture = new LinkedHashSet<>();
    Map<HookName, Sae> spliced = new LinkedHashMap<>();
    for (CacheName n : parsed) {
      if (n.sae().isEmpty()) {
        capture.add(n.hook());
      } else {
        spliced.computeIfAbsent(n.hook(), this::saeAt);
      }
    }
    Map<CacheName, INDArray> saeActs = new java.util.concurrent.ConcurrentHashMap<>();
    Hooks<INDArray> all = hooks;
    for (Map.Entry<HookName, Sae> e : spliced.entrySet()) {
      HookName at = e.getKey();
      Sae sae = e.getValue();
      // observers on either backend: a plain-Java pass encodes its own floats, with no copy into ND4J and back
      all = all.with(at, new EagerHook((x, name, ctx) -> {
        long b = x.size(0);
        long s = x.size(1);
        INDArray flat = x.castTo(DataType.FLOAT).reshape('c', b * s, x.size(2)); // [B*S, d]
        INDArray acts = sae.encode(flat); // [B*S, d_sae]
        INDArray recon = sae.decode(acts); // [B*S, d]
        saeActs.put(CacheName.of(at, CacheName.SaePoint.ACTS_POST), acts.reshape('c', b, s, sae.dSae()));
        saeActs.put(CacheName.of(at, CacheName.SaePoint.RECONS), recon.reshape('c', b, s, sae.dIn()));
        saeActs.put(CacheName.of(at, CacheName.SaePoint.ERROR), flat.sub(recon).reshape('c', b, s, sae.dIn()));
        return null;
      }, (x, name, ctx) -> {
        int b = x.size(0);
        int s = x.size(1);
        FloatTensor flat = new FloatTensor(x.data(), b * s, x.size(2)); // [B*S, d]
        FloatTensor acts = sae.encode(flat); // [B*S, d_sae]
        FloatTensor recon = sae.decode(acts); // [B*S, d]
        float[] error = flat.data().clone();
        float[] r = recon.data();
        for (int i = 0; i < error.length; i++) {
          error[i] -= r[i];
        }
        saeActs.put(CacheName.of(at, CacheName.SaePoint.ACTS_POST), new FloatTensor(acts.data(), b, s, sae.dSae()).toNd4j());
        saeActs.put(CacheName.of(at, CacheName.SaePoint.RECONS), new FloatTensor(r, b, s, sae.dIn()).toNd4j());
        saeActs.put(CacheName.of(at, CacheName.SaePoint.ERROR), new FloatTensor(error, b, s, sae.dIn()).toNd4j());
        return null;
      }));
    }
    ForwardResult r = model.forward(batch, new ForwardRequest(capture, all, LogitScope.ALL));
    Map<CacheName, INDArray> out = new LinkedHashMap<>();
    for (CacheName n : parsed) {
      out.put(n, n.sae().isEmpty() ? r.activation(n.hook()) : saeActs.get(n));
    }
    return new ActivationCache(r.logits(), out);
  }

  /** The SAE whose hook is {@code at}; an error names the SAE layers there are. */
  private Sae saeAt(HookName at) {
    SaeSet set = saes();
    if (!set.contains(at.layer()) || !set.config(at.layer()).hook().equals(at)) {
      throw new IllegalArgumentException("no SAE at " + at + "; the SAEs are at "
          + set.configs().values().stream().map(c -> c.hookName()).toList());
    }
    return set.get(at.layer());
  }

  /** Hooks applying {@code spec} through this lens's SAEs (none for an empty spec). */
  public Hooks<INDArray> hooks(InterventionSpec spec) {
    return spec.interventions().isEmpty() ? Hooks.none() : InterventionHooks.of(spec, saes());
  }

  /** Greedy continuation of one sequence under {@code interventions}: the new token ids (stop token included). */
  public int[] generate(int[] tokens, int maxNewTokens, FeatureIntervention... interventions) {
    return generate(TokenBatch.of(tokens), InterventionSpec.of(List.of(interventions)), generationOptions(maxNewTokens))
        .get(0);
  }

  /** Greedy continuations of a left-padded batch under {@code spec}: the new token ids of each row. */
  public List<int[]> generate(TokenBatch prompts, InterventionSpec spec, GenerationOptions generation) {
    return model.generateGreedy(prompts, generation, hooks(spec));
  }

  /** Greedy generation settings for this model: its stop tokens, the KV cache. */
  public GenerationOptions generationOptions(int maxNewTokens) {
    return GenerationOptions.greedy(model, maxNewTokens);
  }

  /** The metric and its gradient with respect to every layer's {@code hook_resid_post} [layers, B, S, d]. */
  public ResidGradients.Result gradients(TokenBatch batch, LogProbMetric metric) {
    return gradients(batch, metric, Hooks.none());
  }

  /** {@link #gradients(TokenBatch, LogProbMetric)} with {@code hooks} acting inside the differentiated graph. */
  public ResidGradients.Result gradients(TokenBatch batch, LogProbMetric metric, Hooks<TapeOps.Var> hooks) {
    return ResidGradients.compute(model, batch, metric, hooks);
  }
}
