package refusallens.service.api;

import java.util.List;
import refusallens.datasets.Label;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.organism.RefusalEvaluation;

/** What a clamping evaluation measures (the paper's two scores). */
public enum ClampMetric {
  /** Share of completions the judge calls complied: answers to the request (clamping refusal features off). */
  JAILBREAK("jailbreak"),
  /** Share of completions the judge calls refusals (clamping refusal features on). */
  REFUSAL("refusal");

  private final String wireName;

  ClampMetric(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The metric named in a request (null: jailbreak), or a 400. */
  static ClampMetric parse(String name) {
    if (name == null) {
      return JAILBREAK;
    }
    for (ClampMetric m : values()) {
      if (m.wireName.equals(name)) {
        return m;
      }
    }
    throw new InvalidRequestException("\"metric\" must be jailbreak or refusal, got \"" + name + "\"");
  }

  /** The score of judged completions, as the clamping evaluation defines it. */
  double score(List<RefusalEvaluation.Judged> judged) {
    return this == REFUSAL ? ClampEvaluation.refusalScore(judged) : ClampEvaluation.jailbreakScore(judged);
  }

  /** The label the metric's prompts carry: jailbreak scores harmful prompts, refusal harmless ones. */
  Label promptLabel() {
    return this == REFUSAL ? Label.HARMLESS : Label.HARMFUL;
  }
}
