package refusallens.service.fake;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import refusallens.service.config.ServiceConfig;
import refusallens.service.engine.EngineLoader;
import refusallens.service.engine.Engines;

/**
 * Test-only loader of {@link WordProbeEngine}, for the HTTP-layer tests. With {@code
 * refusallens.test.hold-load=true} loading waits until {@link #releaseLoad()} (readiness tests).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class FakeEngineLoader implements EngineLoader {

  private final CountDownLatch loadGate;
  private final WordProbeEngine engine = new WordProbeEngine();

  public FakeEngineLoader(
      @ConfigProperty(name = "refusallens.test.hold-load", defaultValue = "false") boolean holdLoad) {
    this.loadGate = new CountDownLatch(holdLoad ? 1 : 0);
  }

  @Override
  public Engines load(ServiceConfig.Artifacts artifacts) {
    try {
      if (!loadGate.await(5, TimeUnit.MINUTES)) {
        throw new IllegalStateException("test never released the load gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Engines(engine, engine);
  }

  public void releaseLoad() {
    loadGate.countDown();
  }

  public WordProbeEngine engine() {
    return engine;
  }
}
