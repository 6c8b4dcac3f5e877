package refusallens.service.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import refusallens.service.config.ServiceConfig;

/**
 * When {@code refusallens.service.api-key} is set, every /v1 request must carry {@code Authorization:
 * Bearer <key>} (401 otherwise); health, metrics, OpenAPI and the playground stay open.
 */
public class ApiKeyFilter {

  private final Optional<byte[]> key;

  @Inject
  public ApiKeyFilter(ServiceConfig config) {
    // a blank key never gets here: ConfigCheck refuses to start with one
    this.key = config.apiKey().map(k -> k.getBytes(StandardCharsets.UTF_8));
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> check(ContainerRequestContext ctx) {
    if (key.isEmpty()) {
      return Optional.empty();
    }
    String path = ctx.getUriInfo().getPath();
    if (!(path.equals("/v1") || path.startsWith("/v1/"))) {
      return Optional.empty();
    }
    String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
      // Constant-time comparison: the key must not leak through timing.
      if (MessageDigest.isEqual(given, key.get())) {
        return Optional.empty();
      }
    }
    return Optional.of(
        Response.status(Response.Status.UNAUTHORIZED)
            .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
            .type(MediaType.APPLICATION_JSON)
            .entity(
                new ErrorBody(
                    "unauthorized",
                    header == null
                        ? "this service needs an API key: send Authorization: Bearer <key>"
                        : "the API key in the Authorization header is not valid"))
            .build());
  }
}
