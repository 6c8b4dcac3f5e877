package refusallens.service.engine;

import java.util.List;

/**
 * The service's port to the model and probe: scores prompts. Implementations hold immutable weights and are
 * safe to call from one inference thread at a time.
 */
public interface ClassificationEngine {

  ModelInfo model();

  FeaturesInfo features();

  ProbeInfo probe();

  /** The prompt's tokens after the chat template: checked against the token limit, then classified. */
  TokenizedPrompt tokenize(PromptInput prompt);

  /**
   * Scores every prompt in one batched forward pass; result i belongs to prompt i and equals what scoring
   * prompt i alone gives.
   *
   * @param topFeatures how many contributing features to return per prompt
   */
  List<Classification> classify(List<TokenizedPrompt> prompts, int topFeatures);
}
