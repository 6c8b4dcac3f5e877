package refusallens.service.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** The service's port to generation: greedy completions, optionally under an intervention. */
public interface GenerationEngine {

  /**
   * Checks an intervention spec (the intervention JSON format) against the loaded model and SAEs.
   *
   * @throws InvalidInterventionException naming the field, layer or feature that is wrong
   */
  void checkIntervention(JsonNode intervention);

  /** Greedy completion of {@code prompt}, with the intervention's hooks active while the model writes. */
  Generation generate(PromptInput prompt, int maxNewTokens, Optional<JsonNode> intervention);
}
