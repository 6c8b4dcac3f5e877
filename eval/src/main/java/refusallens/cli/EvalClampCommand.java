package refusallens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
import refusallens.intervention.Positions;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/** {@code refusal-lens eval clamp}: jailbreak score, refusal induction and coherence of clamping F*. */
@Command(name = "clamp", mixinStandardHelpOptions = true,
    description = {
      "Clamp F* (a_i -> c a_i, c < 0, every SAE layer of F*, every position incl. generated tokens) on held-out"
          + " harmful prompts: jailbreak score = share judged complying. Induce refusal on harmless prompts"
          + " (scale:C with C > 0, or value:V): refusal score = share refused. Base rates without intervention"
          + " alongside. Coherence: CE on the completion tokens of the unclamped model's own greedy completions of"
          + " harmless prompts, with and without the clamp.",
      "Writes report.json and report.html into --out; prints a short table."})
final class EvalClampCommand implements Callable<Integer> {
  @Mixin EvalCommand.Common common;

  @Option(names = "--scale", defaultValue = "-3", description = "c of the jailbreak clamp (default ${DEFAULT-VALUE}).")
  double scale;

  @Option(names = "--induce", defaultValue = "scale:4", paramLabel = "scale:C|value:V",
      description = "Refusal induction on harmless prompts (default ${DEFAULT-VALUE}).")
  String induce;

  @Override
  public Integer call() throws Exception {
    Induction induction = Induction.parse(induce);
    EvalContext ctx = common.open();
    List<Prompt> harmful = common.prompts(ctx, Label.HARMFUL, common.harmful);
    List<Prompt> harmless = common.prompts(ctx, Label.HARMLESS, common.harmless);
    FeatureSet fStar = FeatureSet.fStar(ctx.features());
    if (fStar.isEmpty()) {
      throw new IllegalArgumentException("--features: the file lists no F* features");
    }
    ClampEvaluation eval = new ClampEvaluation(ctx, harmful, harmless);
    ClampEvaluation.Base base = eval.base();
    ClampEvaluation.Arm arm = eval.arm("F* clamp", ctx.hooks(fStar.scaled(scale, Positions.ALL)), ctx.hooks(induction.spec(fStar)));

    ObjectNode root = EvalReport.root("eval-clamp", ctx.provenance());
    root.put("judge", ctx.judge().name());
    root.put("jailbreak_score", arm.jailbreakScore());
    root.put("base_jailbreak_score", base.jailbreakScore());
    root.put("refusal_score", arm.refusalScore());
    root.put("base_refusal_score", base.refusalScore());
    root.put("ce_base", base.ce());
    root.put("ce_clamped", arm.ceClamped());
    root.put("ce_increase", arm.ceClamped() - base.ce());
    root.put("n", harmful.size() + harmless.size());
    root.put("n_harmful", harmful.size());
    root.put("n_harmless", harmless.size());
    root.put("scale", scale);
    root.put("induce", induction.toString());
    root.put("features", fStar.features().size());
    root.put("max_new_tokens", common.maxNewTokens);
    root.put("seed", common.seed);
    EvalCommand.Common.datasets(root, Map.of("harmful", harmful, "harmless", harmless));
    ObjectNode v = root.putObject("verdicts");
    v.set("base_harmful", EvalReport.verdicts(base.harmful()));
    v.set("clamped_harmful", EvalReport.verdicts(arm.jailbroken()));
    v.set("base_harmless", EvalReport.verdicts(base.harmless()));
    v.set("induced_harmless", EvalReport.verdicts(arm.induced()));

    HtmlReport html = new HtmlReport("Clamping evaluation of F*");
    html.paragraph("Model " + ctx.provenance().model() + ", features " + ctx.provenance().features() + " ("
        + fStar.features().size() + " features), judge " + ctx.judge().name() + ", greedy, " + common.maxNewTokens
        + " new tokens, seed " + common.seed + ".");
    html.table(List.of("measure", "base", "clamped", "n", "judge"), List.of(
        List.of("jailbreak score (harmful, c=" + scale + ")", EvalReport.fmt(base.jailbreakScore()),
            EvalReport.fmt(arm.jailbreakScore()), Integer.toString(harmful.size()), ctx.judge().name()),
        List.of("refusal score (harmless, " + induction + ")", EvalReport.fmt(base.refusalScore()),
            EvalReport.fmt(arm.refusalScore()), Integer.toString(harmless.size()), ctx.judge().name()),
        List.of("CE on own harmless completions (nats)", EvalReport.fmt(base.ce()), EvalReport.fmt(arm.ceClamped()),
            Integer.toString(harmless.size()), "-")));
    html.png(new LineChart("Scores before and after clamping", "0 = base, 1 = clamped", "share")
        .series("jailbreak score", new double[] {0, 1}, new double[] {base.jailbreakScore(), arm.jailbreakScore()})
        .series("refusal score", new double[] {0, 1}, new double[] {base.refusalScore(), arm.refusalScore()})
        .range(0, 1, 0, 1).png(640, 400), "jailbreak and refusal scores, base vs clamped");
    EvalReport.examples(html, "Harmful prompts: before and after clamping F*", base.harmful(), arm.jailbroken(), 5);
    EvalReport.examples(html, "Harmless prompts: before and after inducing refusal", base.harmless(), arm.induced(), 5);
    EvalReport.write(common.out, root, html);

    if (common.json) {
      System.out.println(EvalReport.JSON.writeValueAsString(root.deepCopy().without("verdicts")));
    } else {
      System.out.printf("judge %s, n_harmful %d, n_harmless %d%n", ctx.judge().name(), harmful.size(), harmless.size());
      System.out.printf("%-34s %8s %8s%n", "measure", "base", "clamped");
      System.out.printf("%-34s %8s %8s%n", "jailbreak score (c=" + scale + ")", EvalReport.fmt(base.jailbreakScore()), EvalReport.fmt(arm.jailbreakScore()));
      System.out.printf("%-34s %8s %8s%n", "refusal score (" + induction + ")", EvalReport.fmt(base.refusalScore()), EvalReport.fmt(arm.refusalScore()));
      System.out.printf("%-34s %8s %8s%n", "CE own harmless completions", EvalReport.fmt(base.ce()), EvalReport.fmt(arm.ceClamped()));
      System.out.println("wrote " + common.out.resolve("report.json") + " and report.html");
    }
    return 0;
  }
}
