package refusallens.service.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Greedy generation under an optional intervention, and the clamping evaluation. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "generate")
public class GenerateResource {

  @Inject GenerationService service;

  @POST
  @Path("/generate")
  @Operation(summary = "Greedy completion, optionally with an intervention (feature clamp) active")
  public CompletionStage<GenerateResponse> generate(GenerateRequest request) {
    return service.generate(request);
  }

  @POST
  @Path("/evaluate/clamp")
  @Operation(summary = "Jailbreak or refusal score of an intervention over a few prompts, with completions")
  public CompletionStage<ClampEvaluationResponse> evaluateClamp(ClampEvaluationRequest request) {
    return service.evaluateClamp(request);
  }
}
