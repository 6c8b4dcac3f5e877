package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.datasets.PromptJsonl;
import refusallens.lens.Lens;
import refusallens.core.model.Transformer;
import refusallens.organism.Organism;
import refusallens.core.sae.Sae;
import refusallens.core.sae.SaeLayout;
import refusallens.core.sae.SaeOnPrompts;
import refusallens.core.sae.SaeStats;
import refusallens.core.tokenizer.Tokenizer;

/** {@code refusal-lens sae ...}: inspect sparse autoencoders. */
@Command(
    name = "sae",
    description = "Inspect sparse autoencoders (GemmaScope, SAELens and LlamaScope layouts).",
    subcommands = {SaeCommand.Stats.class})
public final class SaeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** {@code refusal-lens sae stats --sae DIR}: architecture, shape and weight statistics of one SAE. */
  @Command(
      name = "stats",
      description = {
        "Print an SAE's layout, architecture, hook, shape, folded input scale, and threshold / decoder-norm"
            + " statistics.",
        "With --prompt or --data, also runs the model (--model, default: the embedded organism) on those prompts"
            + " and prints the SAE's mean L0, fraction of variance unexplained and relative reconstruction error there."
      })
  static final class Stats implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--sae", required = true, paramLabel = "[LAYER=]DIR", description = "SAE directory (LAYER= for a GemmaScope params.npz outside a layer_N directory).")
    String sae;

    @Option(names = "--layout", paramLabel = "LAYOUT", description = "Read this layout where a directory holds several: ${COMPLETION-CANDIDATES}.")
    SaeLayout layout;

    @CommandLine.Mixin JsonOption jsonOption;

    @CommandLine.Mixin ModelDirOption modelOption;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt to measure L0 and reconstruction on (repeatable).")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--data", paramLabel = "FILE.jsonl", description = "Prompts (datasets JSONL) to measure L0 and reconstruction on.")
    Path data;

    @Option(names = "--n", defaultValue = "32", description = "Prompts read from --data (default ${DEFAULT-VALUE}).")
    int n;

    @Override
    public Integer call() throws Exception {
      var source = refusallens.core.sae.SaeSet.Source.parse(sae);
      Path dir = source.dir();
      SaeLayout l = Optional.ofNullable(layout).orElseGet(() -> SaeLayout.detect(dir));
      OptionalInt layer = source.layer();
      Sae loaded = Sae.load(dir, l, layer);
      SaeStats s = SaeStats.of(loaded);
      SaeOnPrompts measured = onPrompts(loaded);
      java.io.PrintWriter out = spec.commandLine().getOut();
      if (jsonOption.json) {
        ObjectNode doc = CliJson.MAPPER.valueToTree(s);
        if (measured != null) {
          doc.set("on_prompts", CliJson.MAPPER.valueToTree(measured));
        }
        CliJson.print(out, doc);
        return 0;
      }
      out.printf("source        %s%n", s.source());
      out.printf("layout        %s%n", s.layout());
      out.printf("architecture  %s%s%n", s.architecture(), s.topK() == null ? "" : " (k = " + s.topK() + ")");
      out.printf("hook          %s (layer %d)%n", s.hookName(), s.layer());
      out.printf("shape         d_in %d, d_sae %d (%.1f MB as float32)%n", s.dIn(), s.dSae(), s.weightBytes() / 1e6);
      out.printf("b_dec on input %s%n", s.applyBDecToInput());
      out.printf("input scale   %.6g (folded into the weights)%n", s.inputScale());
      if (s.thresholds() != null) {
        out.printf("threshold     min %.4g  mean %.4g  max %.4g%n", s.thresholds().min(), s.thresholds().mean(), s.thresholds().max());
      }
      out.printf("|W_dec[i]|    min %.4g  mean %.4g  max %.4g%n", s.decoderNorms().min(), s.decoderNorms().mean(), s.decoderNorms().max());
      if (measured != null) {
        out.printf("on prompts    %d prompts, %d tokens: L0 %.2f, FVU %.4f, relative error %.4f%n", measured.prompts(),
            measured.tokens(), measured.l0(), measured.fvu(), measured.relativeError());
      }
      return 0;
    }

    /** L0 and reconstruction on --prompt / --data, or null when neither is given. */
    private SaeOnPrompts onPrompts(Sae sae) {
      List<String> texts = new ArrayList<>(prompts);
      if (data != null) {
        if (!Files.isRegularFile(data)) {
          throw new IllegalArgumentException("--data: " + data + " is not a file");
        }
        if (n < 1) {
          throw new IllegalArgumentException("--n must be >= 1, got " + n);
        }
        PromptJsonl.read(data).stream().limit(n).forEach(p -> texts.add(p.userText()));
      }
      if (texts.isEmpty()) {
        return null;
      }
      Lens lens = Lens.open(modelOption.model);
      return SaeOnPrompts.measure(lens.model(), lens.tokenizer(), sae, texts);
    }
  }
}
