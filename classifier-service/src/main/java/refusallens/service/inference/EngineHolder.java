package refusallens.service.inference;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import refusallens.service.config.ServiceConfig;
import refusallens.service.engine.EngineLoader;
import refusallens.service.engine.Engines;

/**
 * Loads the engines in the background at start-up so that liveness answers at once and readiness turns UP
 * only when model, SAEs, features and probe are in memory.
 */
@ApplicationScoped
public class EngineHolder {

  private static final Logger LOG = Logger.getLogger(EngineHolder.class);

  private final Instance<EngineLoader> loaders;
  private final ServiceConfig config;
  private volatile Engines engines;
  private volatile String state = "not started";

  @Inject
  public EngineHolder(Instance<EngineLoader> loaders, ServiceConfig config) {
    this.loaders = loaders;
    this.config = config;
  }

  void onStart(@Observes StartupEvent event) {
    if (loaders.isUnsatisfied()) {
      state = "no EngineLoader bean in this build: nothing to serve";
      LOG.error(state);
      return;
    }
    state = "loading";
    Thread t = new Thread(this::load, "engine-loader");
    t.setDaemon(true);
    t.start();
  }

  private void load() {
    long t0 = System.nanoTime();
    try {
      Engines loaded = loaders.get().load(config.artifacts());
      engines = loaded;
      state = "loaded";
      LOG.infof(
          "model %s loaded in %.1f s (probe %s)",
          loaded.classifier().model().name(),
          (System.nanoTime() - t0) / 1e9,
          loaded.classifier().probe().id());
    } catch (RuntimeException | Error e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      LOG.error("loading failed: " + why, e);
      // readiness and 503 answers show it to clients: file names, not where the files lie
      state = "loading failed: " + namesOnly(why);
    }
  }

  private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<![\\w.:/~-])/[^\\s:;,'\"()\\[\\]{}<>]+");

  /** {@code message} with every absolute path cut to its last name ({@code /srv/m/probe.json} -> {@code probe.json}). */
  static String namesOnly(String message) {
    return ABSOLUTE_PATH.matcher(message).replaceAll(m -> {
      String p = m.group().replaceAll("/+$", "");
      return Matcher.quoteReplacement(p.isEmpty() ? "/" : p.substring(p.lastIndexOf('/') + 1));
    });
  }

  /** Whether the engines are loaded. */
  public boolean ready() {
    return engines != null;
  }

  /** A short state for the readiness check: loading, loaded, or why loading failed. */
  public String state() {
    return state;
  }

  /** The loaded engines, or {@link ModelNotReadyException}. */
  public Engines require() {
    Engines e = engines;
    if (e == null) {
      throw new ModelNotReadyException("model not ready: " + state);
    }
    return e;
  }
}
