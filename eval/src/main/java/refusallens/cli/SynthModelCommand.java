package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.core.model.arch.Architecture;
import refusallens.core.model.arch.ModelConfig;
import refusallens.dev.SyntheticCheckpoint;
import refusallens.core.output.OutputDir;
import refusallens.core.output.OutputKind;
import refusallens.core.sae.SaeLayout;
import refusallens.dev.SyntheticSaes;

/** {@code refusal-lens synth-model}: a HF checkpoint with random weights at a real model's shapes. */
@Command(
    name = "synth-model",
    description = {
      "Write a Hugging Face checkpoint (config.json, bf16 safetensors shards + index, a small tokenizer) with",
      "seeded random weights at the shapes of gemma-2-2b, llama-3.1-8b or a tiny Gemma-2, for benchmarks and tests;",
      "with --saes, random JumpReLU SAEs for those layers in GemmaScope or LlamaScope layout (to rehearse the recipes)."
    })
public final class SynthModelCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--shape", required = true, paramLabel = "SHAPE", description = "gemma-2-2b | llama-3.1-8b | tiny")
  String shape;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created).")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Mixin JsonOption jsonOption;

  @Option(names = "--saes", split = ",", paramLabel = "LAYER[,LAYER...]", description = "Also write a synthetic SAE at"
      + " blocks.LAYER.hook_resid_post for each layer, e.g. 0,5,10,15,20,25.")
  List<Integer> saeLayers = new ArrayList<>();

  @Option(names = "--sae-width", paramLabel = "N", description = "SAE width d_sae. Default: 16384 for gemma-2-2b (GemmaScope"
      + " 16k), 32768 for llama-3.1-8b (LlamaScope 8x), 4 d_model otherwise.")
  Integer saeWidth;

  @Option(names = "--sae-layout", paramLabel = "LAYOUT", description = "GEMMA_SCOPE (layer_L/width_16k/average_l0_N/params.npz)"
      + " or LLAMA_SCOPE (L{L}R-8x/hyperparams.json + checkpoints/final.safetensors). Default: GemmaScope for Gemma-2,"
      + " LlamaScope for Llama.")
  SaeLayout saeLayout;

  @Option(names = "--sae-l0", paramLabel = "N", description = "Average L0 the SAE thresholds aim at (on the synthetic"
      + " model's residual scale; also the GemmaScope average_l0_N folder). Default: min(80, width / 8).")
  Integer saeL0;

  @Option(names = "--sae-out", paramLabel = "DIR", description = "Where the SAEs go (give it to --sae). Default: OUT/saes.")
  Path saeOut;

  @Override
  public Integer call() throws Exception {
    SyntheticCheckpoint.Shape s = SyntheticCheckpoint.Shape.parse(shape);
    checkSaeFlags(s);
    if (Files.exists(out.resolve("config.json"))) {
      throw new IllegalArgumentException("--out " + out + ": already holds a config.json; choose an empty directory");
    }
    OutputDir dir = OutputDir.open(out, "--out", new OutputKind("synth-model", d -> List.of()), false, List.of("."));
    dir.claim(".");
    PrintWriter err = spec.commandLine().getErr();
    SyntheticCheckpoint.write(s, out, seed, line -> {
      err.println(line);
      err.flush();
    });
    List<Map<String, Object>> saes = writeSaes(s);
    dir.commit(".");
    PrintWriter stdout = spec.commandLine().getOut();
    if (jsonOption.json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("schemaVersion", 1);
      o.put("shape", s.cliName());
      o.put("seed", seed);
      o.put("out", out.toString());
      if (!saes.isEmpty()) {
        o.put("sae_out", saeRoot().toString());
        o.put("saes", saes);
      }
      CliJson.print(stdout, o);
    } else {
      stdout.printf("wrote %s checkpoint (seed %d) to %s%n", s.cliName(), seed, out);
      if (!saes.isEmpty()) {
        stdout.printf("wrote %d SAEs to %s (give it to --sae)%n", saes.size(), saeRoot());
      }
    }
    stdout.flush();
    return 0;
  }

  private Path saeRoot() {
    return saeOut != null ? saeOut : out.resolve("saes");
  }

  /** The SAE flags' errors, before any weights are written. */
  private void checkSaeFlags(SyntheticCheckpoint.Shape shape) {
    if (saeLayers.isEmpty()) {
      if (saeWidth != null || saeLayout != null || saeL0 != null || saeOut != null) {
        throw new IllegalArgumentException("--sae-width, --sae-layout, --sae-l0 and --sae-out need --saes LAYER[,LAYER...]");
      }
      return;
    }
    int layers = SyntheticCheckpoint.config(shape).get("num_hidden_layers").asInt();
    for (int layer : saeLayers) {
      if (layer < 0 || layer >= layers) {
        throw new IllegalArgumentException("--saes " + layer + ": the " + shape.cliName() + " shape has layers 0.." + (layers - 1));
      }
    }
    if (saeLayout == SaeLayout.SAE_LENS) {
      throw new IllegalArgumentException("--sae-layout SAE_LENS: synthetic SAEs are written as GEMMA_SCOPE or LLAMA_SCOPE");
    }
    if (saeWidth != null && saeWidth <= 0) {
      throw new IllegalArgumentException("--sae-width must be positive, got " + saeWidth);
    }
  }

  /** Writes the --saes SAEs; one summary per SAE (layer, directory, width, threshold scale). */
  private List<Map<String, Object>> writeSaes(SyntheticCheckpoint.Shape shape) {
    if (saeLayers.isEmpty()) {
      return List.of();
    }
    ModelConfig config = ModelConfig.read(out);
    int width = saeWidth != null ? saeWidth : switch (shape) {
      case GEMMA_2_2B -> 16384;
      case LLAMA_3_1_8B -> 32768;
      case TINY -> 4 * config.shape().dModel();
    };
    int l0 = saeL0 != null ? saeL0 : Math.max(1, Math.min(80, width / 8));
    SaeLayout layout = saeLayout != null ? saeLayout
        : config.architecture() == Architecture.LLAMA ? SaeLayout.LLAMA_SCOPE : SaeLayout.GEMMA_SCOPE;
    Path root = saeRoot();
    OutputDir dir = saeOut == null ? null
        : OutputDir.open(root, "--sae-out", new OutputKind("synth-model", d -> List.of()), false, List.of("."));
    if (dir != null) {
      dir.claim(".");
    }
    PrintWriter err = spec.commandLine().getErr();
    List<Map<String, Object>> written = new ArrayList<>();
    for (int layer : saeLayers.stream().distinct().sorted().toList()) {
      double rms = SyntheticCheckpoint.residualRms(config, layer);
      SyntheticSaes.Spec spec = new SyntheticSaes.Spec(layer, config.shape().dModel(), width, rms, l0, seed);
      Path sae = layout == SaeLayout.GEMMA_SCOPE ? SyntheticSaes.writeGemmaScope(root, spec)
          : SyntheticSaes.writeLlamaScope(root, LLAMA_SCOPE_PREFIX.get(shape), spec);
      err.println("wrote SAE " + sae);
      err.flush();
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("layer", layer);
      o.put("dir", sae.toString());
      o.put("layout", layout.name());
      o.put("d_sae", width);
      o.put("target_l0", l0);
      o.put("residual_rms_estimate", rms);
      written.add(o);
    }
    if (dir != null) {
      dir.commit(".");
    }
    return written;
  }

  /** The fnlp Llama Scope folder prefix per shape (the SAE folder is PREFIX-L{L}R-{x}x). */
  private static final Map<SyntheticCheckpoint.Shape, String> LLAMA_SCOPE_PREFIX = Map.of(
      SyntheticCheckpoint.Shape.LLAMA_3_1_8B, "Llama3_1-8B-Base",
      SyntheticCheckpoint.Shape.GEMMA_2_2B, "synthetic-gemma-2-2b",
      SyntheticCheckpoint.Shape.TINY, "synthetic-tiny");
}
