package refusallens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import refusallens.eval.study.Study;
import refusallens.eval.study.StudyOptions;
import refusallens.eval.study.StudyReport;
import refusallens.files.Json;

/** {@code refusal-lens study}: the whole refusal study into one directory and one report. */
@Command(
    name = "study",
    description = {
      "Run the refusal study end to end: datasets, activations, the refusal direction and F*/FH/FR, clamping",
      "(jailbreak, refusal induction, method comparison), probes (raw vs disentangled, ID vs each attack);",
      "write OUT/report.html, OUT/report.json and every artefact. A re-run reuses every finished step."
    })
public final class StudyCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelDirOption modelOption;

  @CommandLine.Mixin SaeOption saeOption;

  @Option(names = "--data", paramLabel = "builtin|DIR", defaultValue = "builtin",
      description = "Prompts: the built-in generator, a bundle directory (datasets make --out), or the public sets in their"
          + " upstream layout (README, 'Public datasets': real train/val/test splits, JailbreakBench PAIR/GCG/JBC as OOD"
          + " sets). Default: ${DEFAULT-VALUE}.")
  String data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (resumed when it holds a study).")
  Path out;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--quick", description = "Small sizes everywhere (a smoke test, under 2 minutes on the organism).")
  boolean quick;

  @CommandLine.Mixin JsonOption jsonOption;

  @CommandLine.Mixin ForceOption forceOption;

  @CommandLine.Mixin StreamedOption streamedOption;

  @Option(names = "--run-void-steps", description = "Compute the refusal steps (features, dashboards, clamp, suppression,"
      + " suffix, probes) even when the early refusal check finds that the model does not refuse; by default they are"
      + " skipped as void and the report says why.")
  boolean runVoidSteps;

  @Override
  public Integer call() throws Exception {
    List<String> args = new ArrayList<>(List.of("refusal-lens"));
    args.addAll(spec.commandLine().getParseResult().originalArgs());
    StudyOptions o = new StudyOptions(modelOption.model, saeOption.sae, data, out, seed, quick, String.join(" ", args), forceOption.force,
        streamedOption.residency(), runVoidSteps);
    long t0 = System.nanoTime();
    StudyReport report = new Study(o, new ConsoleProgress(System.err), step -> {}).run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    var stdout = spec.commandLine().getOut();
    if (jsonOption.json) {
      ObjectNode doc = Json.MAPPER.createObjectNode();
      doc.put("out", out.toString());
      doc.put("seconds", seconds);
      doc.set("summary", report.json().get("summary"));
      doc.set("steps", report.json().get("provenance").get("steps"));
      CliJson.print(stdout, doc);
    } else {
      var s = report.json().get("summary");
      stdout.printf("study done in %.1f s: %s%n", seconds, out.resolve("report.html"));
      if (s.path("void_steps_skipped").size() > 0) {
        stdout.printf("the model does not refuse (%s): steps %s not computed (void; --run-void-steps computes them)%n",
            s.path("refusal_check").path("reason").asText(), s.path("void_steps_skipped"));
        stdout.flush();
        return 0;
      }
      stdout.printf("harmful refusal %.2f, F* clamp jailbreak %.2f, induced refusal %.2f, probe ID AUROC raw %.3f / disentangled %.3f%n",
          s.get("harmful_refusal_rate").asDouble(), s.get("jailbreak_rate_f_star_clamp").asDouble(),
          s.get("induced_refusal_rate").asDouble(), s.get("probe_id_auroc_raw").asDouble(),
          s.get("probe_id_auroc_disentangled").asDouble());
      if (!s.path("model_refuses").asBoolean(true)) {
        stdout.printf("WARNING: the model does not refuse (%s): void steps %s; see the report%n",
            s.path("refusal_check").path("reason").asText(), s.path("void_steps"));
      }
    }
    stdout.flush();
    return 0;
  }
}
