package refusallens.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.jboss.logging.Logger;
import refusallens.service.config.ServiceConfig;

/**
 * The HTTP-level limits answered as every other error, with a JSON {@link ErrorBody}: request target (414),
 * header section (431) and declared body size (413) are checked on the Vert.x router before Quarkus' own
 * handlers (which answer those with empty bodies), and a failure on the router below the REST layer is
 * answered in JSON too; a streamed (chunked) body over the limit is stopped by {@link StrictUtf8Body}. Vert.x's connection-level decoder keeps its own, higher ceilings ({@code
 * quarkus.http.limits.max-initial-line-length}, {@code max-header-size}): Quarkus offers no hook into the
 * invalid-request handler that answers requests beyond them, so those still get empty 414/431/400 answers.
 */
@ApplicationScoped
public class HttpLimits {

  private static final Logger LOG = Logger.getLogger(HttpLimits.class);

  /** Before Quarkus' body-size check (order -2) and every other route. */
  static final int ORDER = -10;

  private final ServiceConfig.Limits limits;
  private final long maxBodyBytes;
  private final ObjectMapper json;

  public HttpLimits(ServiceConfig config, ObjectMapper json) {
    this.limits = config.limits();
    this.maxBodyBytes = config.limits().maxBodyBytes();
    this.json = json;
  }

  void install(@Observes Router router) {
    router.route().order(ORDER).handler(this::check);
    router.route().order(ORDER).failureHandler(this::failed);
    router.errorHandler(404, ctx -> answer(ctx, 404, "not_found", "no resource at " + ctx.request().path()));
  }

  private void check(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String target = req.uri();
    if (target.length() > limits.maxUriChars()) {
      answer(ctx, 414, "uri_too_long", "the request target has " + target.length()
          + " characters; the limit is " + limits.maxUriChars() + " (refusallens.service.limits.max-uri-chars)");
      return;
    }
    long headerBytes = 0;
    for (Map.Entry<String, String> h : req.headers()) {
      headerBytes += h.getKey().length() + 2 + h.getValue().length() + 2; // "name: value\r\n"
    }
    if (headerBytes > limits.maxHeaderBytes()) {
      answer(ctx, 431, "headers_too_large", "the request headers take " + headerBytes
          + " bytes; the limit is " + limits.maxHeaderBytes() + " (refusallens.service.limits.max-header-bytes)");
      return;
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        declared = -1;
      }
      if (declared < 0) {
        answer(ctx, 400, "bad_request", "Content-Length '" + length + "' is not a byte count");
        return;
      }
      if (declared > maxBodyBytes) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close"); // the rest of the body is not read
        answer(ctx, 413, "payload_too_large", "the request body has " + declared + " bytes; the limit is "
            + maxBodyBytes + " (refusallens.service.limits.max-body-bytes)");
        return;
      }
    }
    ctx.next();
  }

  private void failed(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
    if (status >= 500) {
      LOG.error("request failed", ctx.failure());
    }
    String code =
        switch (status) {
          case 400 -> "bad_request";
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          case 413 -> "payload_too_large";
          case 414 -> "uri_too_long";
          case 431 -> "headers_too_large";
          default -> status >= 500 ? "internal" : "http_" + status;
        };
    String detail = status >= 500 ? "internal error; see the service log"
        : status == 413 ? "the request body is over the limit of " + maxBodyBytes + " bytes (refusallens.service.limits.max-body-bytes)"
        : "the request was refused (HTTP " + status + ")";
    answer(ctx, status, code, detail);
  }

  private void answer(RoutingContext ctx, int status, String code, String detail) {
    String body;
    try {
      body = json.writeValueAsString(new ErrorBody(code, detail));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }
}
