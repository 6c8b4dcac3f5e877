package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.datasets.Prompt;
import refusallens.datasets.PromptJsonl;
import refusallens.refusal.extract.ActivationStore;
import refusallens.refusal.extract.ActivationStoreMerge;
import refusallens.refusal.extract.ActivationStoreWriter;
import refusallens.refusal.extract.Extraction;
import refusallens.refusal.extract.Identity;
import refusallens.refusal.extract.PositionRule;
import refusallens.refusal.extract.ShardSlice;
import refusallens.refusal.extract.StoreHeader;
import refusallens.refusal.extract.StoreManifest;
import refusallens.lens.Lens;
import refusallens.core.model.Transformer;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;
import refusallens.core.io.ContentHash;
import refusallens.refusal.FeaturesFile;
import refusallens.core.sae.SaeSet;
import refusallens.core.tokenizer.Tokenizer;

/**
 * {@code refusal-lens extract}: raw resid_post and SAE feature activations of a prompt set, as a resumable
 * sharded activation store (safetensors shards + manifest.json).
 */
@Command(
    name = "extract",
    subcommands = {ExtractCommand.Merge.class},
    description = {
      "Write hook_resid_post at chosen layers and positions and SAE feature activations of a JSONL prompt set",
      "to an activation store. Re-running with the same arguments resumes after the last complete shard."
    })
public final class ExtractCommand implements Callable<Integer> {
  /** An activation store owns its whole directory; one without an ownership record has a store manifest. */
  static final OutputKind OUTPUT = OutputKind.recognisedBy("extract", "manifest.json", StoreManifest.KIND, List.of("."));
  private static final String WHOLE = ".";


  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", paramLabel = "FILE.jsonl", description = "Prompts (datasets JSONL).")
  Path data;

  @CommandLine.Mixin ModelDirOption modelOption;

  @CommandLine.Mixin SaeOption saeOption;

  @Option(names = "--out", paramLabel = "DIR", description = "Activation store directory.")
  Path out;

  @Option(names = "--layers", split = ",", paramLabel = "L", description = "Layers of raw resid_post (default: all).")
  List<Integer> layers;

  @Option(names = "--positions", split = ",", paramLabel = "RULE", defaultValue = "last",
      description = "Position rules: last, post_instruction_mean, prompt_mean (default: ${DEFAULT-VALUE}).")
  List<String> positions;

  @Option(names = "--sae-features", paramLabel = "all|none|FEATURES.json", defaultValue = "all",
      description = "SAE activations to store when --sae is given: all, none, or the F* list of a features.json.")
  String saeFeatures;

  @Option(names = "--batch", defaultValue = "8", description = "Prompts per forward pass and per shard.")
  int batch;

  @Option(names = "--shard", paramLabel = "i/n", description = "Process only slice i of n of the dataset.")
  String shard;

  @Option(names = "--seed", defaultValue = "0", description = "Seed recorded in the manifest.")
  long seed;

  @CommandLine.Mixin JsonOption jsonOption;

  @Override
  public Integer call() throws Exception {
    // Checked here, not by picocli, so that 'extract merge' does not ask for them.
    if (data == null || out == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "extract needs --data and --out");
    }
    if (!Files.isRegularFile(data)) {
      throw new IllegalArgumentException("--data " + data + ": no such file");
    }
    Path modelDir = ModelDirOption.requireDirectory(modelOption.dir());
    OutputDir store = OutputDir.open(out, "--out", OUTPUT, false, List.of(WHOLE));
    List<Prompt> prompts = PromptJsonl.read(data);
    ShardSlice slice = shard == null ? null : ShardSlice.parse(shard);
    List<Prompt> selected = slice == null ? prompts : slice.select(prompts);
    Lens lens = saeOption.sae.isEmpty() ? Lens.open(modelDir) : Lens.open(modelDir).withSaes(saeOption.sae);
    Transformer model = lens.model();
    Tokenizer tokenizer = lens.tokenizer();
    int nLayers = model.config().shape().numLayers();
    SaeSet saes = lens.hasSaes() ? lens.saes() : null;
    List<Integer> rawLayers = layers != null ? layers
        : java.util.stream.IntStream.range(0, nLayers).boxed().toList();
    Extraction.SaeFeatures features = saeFeatureSpec(saes);
    var options = new Extraction.Options(
        rawLayers, positions.stream().map(PositionRule::parse).toList(), features, batch, seed);
    Extraction extraction = new Extraction(model, tokenizer, saes, options);
    Identity saeId = saes == null || !features.any() ? null
        : Extraction.saeIdentity(saeOption.sae.stream().map(SaeSet.Source::parse).toList());
    StoreHeader header = new StoreHeader(
        Extraction.modelIdentity(modelDir), saeId,
        new Identity(data.getFileName().toString(), ContentHash.ofFiles(List.of(data))),
        extraction.tensors(), seed, slice, versions());
    store.claim(WHOLE);
    ActivationStoreWriter writer = ActivationStoreWriter.open(out, header);
    writer.repairs().forEach(r -> System.err.println("extract: " + r));
    long t0 = System.nanoTime();
    ConsoleProgress progress = new ConsoleProgress(System.err);
    int done = extraction.run(selected, writer, progress);
    store.commit(WHOLE);
    double seconds = (System.nanoTime() - t0) / 1e9;
    PrintWriter stdout = spec.commandLine().getOut();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("out", out.toString());
    summary.put("rows", writer.completedRows());
    summary.put("extracted_now", done);
    summary.put("resumed_from", writer.completedRows() - done);
    summary.put("tensors", extraction.tensors().stream().map(t -> t.name()).toList());
    summary.put("seconds", seconds);
    summary.put("prompts_per_s", done == 0 ? 0 : done / seconds);
    if (jsonOption.json) {
      CliJson.print(stdout, summary);
    } else {
      stdout.printf("%s: %d rows (%d extracted now, %.1f prompts/s), %d tensors%n",
          out, writer.completedRows(), done, done == 0 ? 0.0 : done / seconds, extraction.tensors().size());
    }
    stdout.flush();
    return 0;
  }

  private Extraction.SaeFeatures saeFeatureSpec(SaeSet saes) {
    if (saes == null || saeFeatures.equals("none")) {
      return Extraction.SaeFeatures.NONE;
    }
    if (saeFeatures.equals("all")) {
      return Extraction.SaeFeatures.ALL;
    }
    Path file = Path.of(saeFeatures);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--sae-features " + saeFeatures + ": expected all, none or a features.json file");
    }
    FeaturesFile features;
    try {
      features = FeaturesFile.read(file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--sae-features " + e.getMessage(), e);
    }
    if (features.features().isEmpty()) {
      throw new IllegalArgumentException("--sae-features " + file + ": no \"features\" listed");
    }
    Map<Integer, List<Integer>> lists = new TreeMap<>();
    features.features().forEach(f -> lists.computeIfAbsent(f.layer(), k -> new ArrayList<>()).add(f.index()));
    return new Extraction.SaeFeatures(false, lists);
  }

  static Map<String, String> versions() {
    Map<String, String> v = new TreeMap<>();
    String impl = ExtractCommand.class.getPackage().getImplementationVersion();
    v.put("refusal-lens", impl == null ? "dev" : impl);
    v.put("java", System.getProperty("java.version"));
    v.put("nd4j", "1.0.0-M2.1");
    return v;
  }

  /** {@code refusal-lens extract merge}: joins the stores of several --shard runs into one. */
  @Command(name = "merge",
      description = "Join activation stores (e.g. the --shard i/n slices) into one store.")
  static final class Merge implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Merged store directory.")
    Path out;

    @CommandLine.Parameters(arity = "2..*", paramLabel = "STORE", description = "Stores to merge, in order.")
    List<Path> inputs;

    @CommandLine.Mixin JsonOption jsonOption;

    @Override
    public Integer call() throws Exception {
      OutputDir store = OutputDir.open(out, "--out", OUTPUT, false, List.of(WHOLE));
      store.claim(WHOLE);
      ActivationStore merged = ActivationStoreMerge.merge(inputs, out);
      store.commit(WHOLE);
      PrintWriter stdout = spec.commandLine().getOut();
      int rows = merged.manifest().rows().size();
      if (jsonOption.json) {
        CliJson.print(stdout, Map.of("out", out.toString(), "rows", rows));
      } else {
        stdout.printf("%s: %d rows from %d stores%n", out, rows, inputs.size());
      }
      stdout.flush();
      return 0;
    }
  }
}
