package refusallens.service.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import refusallens.datasets.Prompt;
import refusallens.eval.clamp.ClampEvaluation;
import refusallens.eval.judge.Judge;

/** The service's port to generation: greedy completions, optionally under an intervention. */
public interface GenerationEngine {

  /**
   * Checks an intervention spec (the intervention JSON format) against the loaded model and SAEs.
   *
   * @throws InvalidInterventionException naming the field, layer or feature that is wrong
   */
  void checkIntervention(JsonNode intervention);

  /**
   * Greedy completion of {@code prompt} from its chat tokens (computed once, on the request thread, for the
   * token limit), with the intervention's hooks active while the model writes.
   */
  Generation generate(TokenizedPrompt prompt, int maxNewTokens, Optional<JsonNode> intervention);

  /**
   * The clamping evaluation of {@code prompts} ({@link ClampEvaluation#compare}, the code behind {@code
   * refusal-lens eval clamp}): greedy completions without and with the intervention, judged by {@code judge}.
   */
  ClampEvaluation.Comparison compareClamp(List<Prompt> prompts, JsonNode intervention, Judge judge, int maxNewTokens);
}
