package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.sae.Sae;
import refusallens.sae.SaeLayout;
import refusallens.sae.SaeStats;

/** {@code refusal-lens sae ...}: inspect sparse autoencoders. */
@Command(
    name = "sae",
    mixinStandardHelpOptions = true,
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
      mixinStandardHelpOptions = true,
      description = {
        "Print an SAE's layout, architecture, hook, shape, folded input scale, and threshold / decoder-norm"
            + " statistics.",
        "L0 and reconstruction error on prompts need the model runtime and are not printed yet."
      })
  static final class Stats implements Callable<Integer> {
    @Option(names = "--sae", required = true, paramLabel = "[LAYER=]DIR", description = "SAE directory (LAYER= for a GemmaScope params.npz outside a layer_N directory).")
    String sae;

    @Option(names = "--layout", paramLabel = "LAYOUT", description = "Read this layout where a directory holds several: ${COMPLETION-CANDIDATES}.")
    SaeLayout layout;

    @Option(names = "--json", description = "Print one JSON document on stdout.")
    boolean json;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
      var source = refusallens.sae.SaeSet.Source.parse(sae);
      Path dir = source.dir();
      SaeLayout l = Optional.ofNullable(layout).orElseGet(() -> SaeLayout.detect(dir));
      OptionalInt layer = source.layer();
      SaeStats s = SaeStats.of(Sae.load(dir, l, layer));
      PrintStream out = System.out;
      if (json) {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
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
      return 0;
    }
  }
}
