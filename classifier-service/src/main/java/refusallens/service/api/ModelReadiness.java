package refusallens.service.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import refusallens.service.inference.EngineHolder;

/** Ready only once model, SAEs, features and probe are loaded. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {

  @Inject EngineHolder holder;

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("model")
        .status(holder.ready())
        .withData("state", holder.state())
        .build();
  }
}
