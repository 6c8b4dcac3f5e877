package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.model.SyntheticCheckpoint;
import refusallens.output.OutputDir;
import refusallens.output.OutputKind;

/** {@code refusal-lens synth-model}: a HF checkpoint with random weights at a real model's shapes. */
@Command(
    name = "synth-model",
    mixinStandardHelpOptions = true,
    description = {
      "Write a Hugging Face checkpoint (config.json, bf16 safetensors shards + index, a small tokenizer) with",
      "seeded random weights at the shapes of gemma-2-2b, llama-3.1-8b or a tiny Gemma-2, for benchmarks and tests."
    })
public final class SynthModelCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--shape", required = true, paramLabel = "SHAPE", description = "gemma-2-2b | llama-3.1-8b | tiny")
  String shape;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created).")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print one JSON summary on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    SyntheticCheckpoint.Shape s = SyntheticCheckpoint.Shape.parse(shape);
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
    dir.commit(".");
    PrintWriter stdout = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("schemaVersion", 1);
      o.put("shape", s.cliName());
      o.put("seed", seed);
      o.put("out", out.toString());
      CliJson.print(stdout, o);
    } else {
      stdout.printf("wrote %s checkpoint (seed %d) to %s%n", s.cliName(), seed, out);
    }
    stdout.flush();
    return 0;
  }
}
