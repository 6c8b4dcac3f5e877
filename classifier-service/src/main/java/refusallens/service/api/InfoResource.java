package refusallens.service.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import refusallens.service.engine.FeaturesInfo;
import refusallens.service.engine.ModelInfo;
import refusallens.service.engine.ProbeInfo;
import refusallens.service.inference.EngineHolder;

/** What is loaded: model and SAEs, features, probe, each with hashes. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "info")
public class InfoResource {

  @Inject EngineHolder holder;

  @GET
  @Path("/model")
  @Operation(summary = "The loaded model and SAEs")
  public ModelInfo model() {
    return holder.require().classifier().model();
  }

  @GET
  @Path("/features")
  @Operation(summary = "The loaded refusal features (features.json)")
  public FeaturesInfo features() {
    return holder.require().classifier().features();
  }

  @GET
  @Path("/probe")
  @Operation(summary = "The loaded probe")
  public ProbeInfo probe() {
    return holder.require().classifier().probe();
  }
}
