package refusallens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import refusallens.datasets.Label;
import refusallens.datasets.Prompt;
import refusallens.eval.EvalContext;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.clamp.FeatureSet;
import refusallens.eval.clamp.Induction;
import refusallens.eval.report.EvalReport;
import refusallens.core.intervention.FeatureIntervention;
import refusallens.core.intervention.Positions;
import refusallens.core.model.Hooks;
import refusallens.core.output.OutputDir;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/** {@code refusal-lens eval clamp}: jailbreak score, refusal induction and coherence of clamping F*. */
@Command(name = "clamp",
    description = {
      "Clamp F* (a_i -> c a_i, c < 0, every SAE layer of F*, every position incl. generated tokens; the global set or"
          + " per-prompt sets) on held-out"
          + " harmful prompts: jailbreak score = share judged complying. Induce refusal on harmless prompts"
          + " (harmful-mean:M: a_i = M x its mean on harmful prompts; scale:C with C > 0; value:V): refusal score ="
          + " share refused. Base rates without intervention"
          + " alongside. Coherence: CE on the completion tokens of the unclamped model's own greedy completions of"
          + " harmless prompts, and on plain text (no chat template), with and without the clamp.",
      "Writes report.json and report.html into --out; prints a short table."})
final class EvalClampCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin EvalCommand.Common common;

  @Mixin ClampScaleOption scaleOption;

  @Mixin InductionOption induceOption;

  @Option(names = "--sets", defaultValue = "global", paramLabel = "global|per-prompt",
      description = "F* of the jailbreak clamp: the global set, or per-prompt (a harmful prompt with its own set in"
          + " features.json perPrompt is clamped with it; the others with the global set). Default ${DEFAULT-VALUE}.")
  String sets;

  @Mixin EvalCommand.TextOption textOption;

  @Override
  public Integer call() throws Exception {
    // before any model work: a factor that overflows float32 can only give non-finite activations
    FeatureIntervention.checkMagnitude("--scale", scaleOption.scale);
    Induction induction = induceOption.induction();
    OutputDir outDir = common.output("clamp");
    FeatureSet.Scope scope = FeatureSet.Scope.parse("--sets", sets);
    List<String> texts = textOption.texts(common.seed, common.harmless);
    EvalContext ctx = common.open();
    List<Prompt> harmful = common.prompts(ctx, Label.HARMFUL, common.harmful);
    List<Prompt> harmless = common.prompts(ctx, Label.HARMLESS, common.harmless);
    FeatureSet fStar = FeatureSet.fStar(ctx.features());
    if (fStar.isEmpty()) {
      throw new IllegalArgumentException("--features: the file lists no F* features");
    }
    Map<String, Hooks<INDArray>> own = new TreeMap<>();
    if (scope == FeatureSet.Scope.PER_PROMPT) {
      Map<String, FeatureSet> perPrompt = FeatureSet.perPrompt(ctx.features());
      for (Prompt p : harmful) {
        if (perPrompt.containsKey(p.id())) {
          own.put(p.id(), ctx.hooks(perPrompt.get(p.id()).scaled(scaleOption.scale, Positions.ALL)));
        }
      }
      ctx.progress().log("--sets per-prompt: " + own.size() + " of " + harmful.size()
          + " harmful prompts have their own set in features.json; the others use the global F*");
    }
    ClampEvaluation eval = new ClampEvaluation(ctx, harmful, harmless, texts);
    ClampEvaluation.Base base = eval.base();
    ClampEvaluation.Arm arm = eval.arm("F* clamp", own, ctx.hooks(fStar.scaled(scaleOption.scale, Positions.ALL)),
        ctx.hooks(induction.spec(fStar, eval.harmfulMeans()::of)));

    ObjectNode root = EvalReport.root("eval-clamp", ctx.provenance());
    root.put("judge", ctx.judge().name());
    root.put("jailbreak_score", arm.jailbreakScore());
    root.set("outcomes", EvalReport.outcomes(arm.jailbroken()));
    root.put("base_jailbreak_score", base.jailbreakScore());
    root.set("base_outcomes", EvalReport.outcomes(base.harmful()));
    root.set("induced_outcomes", EvalReport.outcomes(arm.induced()));
    root.put("refusal_score", arm.refusalScore());
    root.put("base_refusal_score", base.refusalScore());
    root.put("ce_base", base.ce());
    root.put("ce_clamped", arm.ceClamped());
    root.put("ce_increase", arm.ceClamped() - base.ce());
    root.put("ce_text_base", base.ceText());
    root.put("ce_text_clamped", arm.ceTextClamped());
    root.put("ce_text_increase", arm.ceTextClamped() - base.ceText());
    root.put("n", harmful.size() + harmless.size());
    root.put("n_harmful", harmful.size());
    root.put("n_harmless", harmless.size());
    root.put("scale", scaleOption.scale);
    root.put("induce", induction.toString());
    root.put("induce_means_measured", eval.harmfulMeans().measuredFeatures().size());
    root.put("sets", scope.wireName());
    root.put("n_own_set", own.size());
    root.set("own_set_prompts", EvalReport.JSON.valueToTree(own.keySet()));
    root.put("features", fStar.features().size());
    root.put("max_new_tokens", common.generation.maxNewTokens);
    root.put("seed", common.seed);
    EvalCommand.Common.datasets(root, Map.of("harmful", harmful, "harmless", harmless));
    EvalCommand.TextOption.describe(root, textOption.source(common.seed, common.harmless), texts);
    ObjectNode v = root.putObject("verdicts");
    v.set("base_harmful", EvalReport.verdicts(base.harmful()));
    v.set("clamped_harmful", EvalReport.verdicts(arm.jailbroken()));
    v.set("base_harmless", EvalReport.verdicts(base.harmless()));
    v.set("induced_harmless", EvalReport.verdicts(arm.induced()));

    HtmlReport html = new HtmlReport("Clamping evaluation of F*");
    html.paragraph("Model " + ctx.provenance().model() + ", features " + ctx.provenance().features() + " ("
        + fStar.features().size() + " features), judge " + ctx.judge().name() + ", greedy, " + common.generation.maxNewTokens
        + " new tokens, seed " + common.seed + ".");
    html.table(List.of("measure", "base", "clamped", "n", "judge"), List.of(
        List.of("jailbreak score (harmful, c=" + scaleOption.scale + ")", EvalReport.fmt(base.jailbreakScore()),
            EvalReport.fmt(arm.jailbreakScore()), Integer.toString(harmful.size()), ctx.judge().name()),
        List.of("outcomes refused / complied / degenerate (harmful)", outcomes(base.harmfulOutcomes()),
            outcomes(arm.outcomes()), Integer.toString(harmful.size()), ctx.judge().name()),
        List.of("refusal score (harmless, " + induction + ")", EvalReport.fmt(base.refusalScore()),
            EvalReport.fmt(arm.refusalScore()), Integer.toString(harmless.size()), ctx.judge().name()),
        List.of("CE on own harmless completions (nats)", EvalReport.fmt(base.ce()), EvalReport.fmt(arm.ceClamped()),
            Integer.toString(harmless.size()), "-"),
        List.of("CE on plain text (nats)", EvalReport.fmt(base.ceText()), EvalReport.fmt(arm.ceTextClamped()),
            Integer.toString(texts.size()), "-")));
    html.paragraph("Jailbreak clamp with the " + scope.wireName() + " F*" + (scope == FeatureSet.Scope.PER_PROMPT
        ? " (" + own.size() + " of " + harmful.size() + " harmful prompts have their own set)" : "")
        + "; plain text: " + textOption.source(common.seed, common.harmless) + ".");
    html.png(new LineChart("Scores before and after clamping", "0 = base, 1 = clamped", "share")
        .series("jailbreak score", new double[] {0, 1}, new double[] {base.jailbreakScore(), arm.jailbreakScore()})
        .series("refusal score", new double[] {0, 1}, new double[] {base.refusalScore(), arm.refusalScore()})
        .range(0, 1, 0, 1).png(640, 400), "jailbreak and refusal scores, base vs clamped");
    EvalReport.examples(html, "Harmful prompts: before and after clamping F*", base.harmful(), arm.jailbroken(), 5);
    EvalReport.examples(html, "Harmless prompts: before and after inducing refusal", base.harmless(), arm.induced(), 5);
    EvalCommand.Common.writeReport(outDir, root, html);

    if (common.jsonOption.json) {
      CliJson.print(spec.commandLine().getOut(), root.deepCopy().without("verdicts"));
    } else {
      spec.commandLine().getOut().printf("judge %s, n_harmful %d, n_harmless %d%n", ctx.judge().name(), harmful.size(), harmless.size());
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "measure", "base", "clamped");
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "jailbreak score (c=" + scaleOption.scale + ")", EvalReport.fmt(base.jailbreakScore()), EvalReport.fmt(arm.jailbreakScore()));
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "  refused / complied / degenerate", "", "");
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "    base", outcomes(base.harmfulOutcomes()), "");
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "    clamped", outcomes(arm.outcomes()), "");
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "refusal score (" + induction + ")", EvalReport.fmt(base.refusalScore()), EvalReport.fmt(arm.refusalScore()));
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "CE own harmless completions", EvalReport.fmt(base.ce()), EvalReport.fmt(arm.ceClamped()));
      spec.commandLine().getOut().printf("%-34s %8s %8s%n", "CE plain text (" + texts.size() + " texts)", EvalReport.fmt(base.ceText()), EvalReport.fmt(arm.ceTextClamped()));
      spec.commandLine().getOut().println("wrote " + common.out.resolve("report.json") + " and report.html");
    }
    return 0;
  }

  /** "refused / complied / degenerate" shares. */
  private static String outcomes(refusallens.eval.judge.Outcomes o) {
    return EvalReport.fmt(o.refused()) + " / " + EvalReport.fmt(o.complied()) + " / " + EvalReport.fmt(o.degenerate());
  }
}
