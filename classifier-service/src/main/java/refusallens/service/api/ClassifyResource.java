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

/** Adversarial-prompt classification with the loaded probe. */
@Path("/v1/classify")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "classify")
public class ClassifyResource {

  @Inject ClassificationService service;

  @POST
  @Operation(summary = "Score one prompt (or conversation) with the probe")
  public CompletionStage<ClassifyResponse> classify(ClassifyRequest request) {
    return service.classify(request);
  }

  @POST
  @Path("/batch")
  @Operation(summary = "Score up to limits.max-batch-items prompts, answered in order")
  public CompletionStage<BatchClassifyResponse> batch(BatchClassifyRequest request) {
    return service.classifyBatch(request);
  }
}
