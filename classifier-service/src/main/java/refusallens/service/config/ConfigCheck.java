package refusallens.service.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Refuses to start with a configuration that would serve wrongly: a blank API key (which would leave /v1
 * open), a queue smaller than the largest request the limits allow (that request could never be queued), or
 * Vert.x limits at or below the service's own (those requests would get empty, non-JSON answers).
 */
@ApplicationScoped
public class ConfigCheck {

  /** The environment variable that sets the API key (SmallRye reads an empty value as unset). */
  static final String API_KEY_ENV = "REFUSALLENS_SERVICE_API_KEY";

  /** Vert.x's own request-line and header limits, which answer without a body. */
  public record HttpCeilings(int maxInitialLineLength, int maxHeaderSize, long maxBodySize) {
    /** The configured {@code quarkus.http.limits} values (Quarkus' defaults when unset). */
    static HttpCeilings configured() {
      var c = ConfigProvider.getConfig();
      return new HttpCeilings(
          c.getOptionalValue("quarkus.http.limits.max-initial-line-length", Integer.class).orElse(4096),
          (int) c.getOptionalValue("quarkus.http.limits.max-header-size", io.quarkus.runtime.configuration.MemorySize.class)
              .map(io.quarkus.runtime.configuration.MemorySize::asLongValue).orElse(20480L).longValue(),
          c.getOptionalValue("quarkus.http.limits.max-body-size", io.quarkus.runtime.configuration.MemorySize.class)
              .map(io.quarkus.runtime.configuration.MemorySize::asLongValue).orElse(10240L * 1024));
    }
  }

  void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, ServiceConfig config) {
    List<String> problems = problems(config, HttpCeilings.configured(), System.getenv());
    if (!problems.isEmpty()) {
      throw new IllegalStateException("refusing to start: " + String.join("; ", problems));
    }
  }

  /** Every problem of {@code config}, each naming its key; empty when it is fine. */
  public static List<String> problems(ServiceConfig config, HttpCeilings ceilings, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    String envKey = env.get(API_KEY_ENV);
    if (config.apiKey().isPresent() ? config.apiKey().get().isBlank() : envKey != null && envKey.isEmpty()) {
      out.add("refusallens.service.api-key (" + API_KEY_ENV + ") is set but blank, which would serve /v1 without"
          + " authentication: set a key, or unset it to run without one");
    } else if (config.apiKey().isPresent() && !config.apiKey().get().equals(config.apiKey().get().strip())) {
      out.add("refusallens.service.api-key (" + API_KEY_ENV + ") has leading or trailing whitespace, which no"
          + " Authorization header can carry: remove it");
    }
    ServiceConfig.Limits limits = config.limits();
    int queue = config.batching().queueSize();
    for (var limit : List.of(Map.entry("limits.max-batch-items", limits.maxBatchItems()),
        Map.entry("limits.max-clamp-prompts", limits.maxClampPrompts()))) {
      if (queue < limit.getValue()) {
        out.add("refusallens.service.batching.queue-size (" + queue + ") is smaller than refusallens.service."
            + limit.getKey() + " (" + limit.getValue() + "): a request that size could never be queued");
      }
    }
    // "POST " + target + " HTTP/1.1" must pass Vert.x for the service to answer an overlong target itself
    int line = limits.maxUriChars() + "OPTIONS  HTTP/1.1".length();
    if (ceilings.maxInitialLineLength() <= line) {
      out.add("quarkus.http.limits.max-initial-line-length (" + ceilings.maxInitialLineLength() + ") must exceed"
          + " refusallens.service.limits.max-uri-chars plus the method and version (" + line + ")");
    }
    if (ceilings.maxHeaderSize() <= limits.maxHeaderBytes()) {
      out.add("quarkus.http.limits.max-header-size (" + ceilings.maxHeaderSize() + ") must exceed"
          + " refusallens.service.limits.max-header-bytes (" + limits.maxHeaderBytes() + ")");
    }
    if (ceilings.maxBodySize() <= limits.maxBodyBytes()) {
      out.add("quarkus.http.limits.max-body-size (" + ceilings.maxBodySize() + ") must exceed"
          + " refusallens.service.limits.max-body-bytes (" + limits.maxBodyBytes() + ")");
    }
    return out;
  }
}
