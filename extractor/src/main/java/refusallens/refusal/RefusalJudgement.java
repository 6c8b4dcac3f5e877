package refusallens.refusal;

/**
 * Whether a completion is a refusal: the judge that decides which greedy answers to harmful prompts count as
 * refusals when the refusal token set is collected (the CLI and the study pass the refusal-phrase judge).
 */
@FunctionalInterface
public interface RefusalJudgement {
  boolean refuses(String completion);
}
