package refusallens.service.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import refusallens.service.config.ServiceConfig;
import refusallens.service.engine.InvalidInterventionException;
import refusallens.core.model.NonFiniteActivationException;
import refusallens.service.inference.LargerThanQueueException;
import refusallens.service.inference.ModelNotReadyException;
import refusallens.service.inference.QueueFullException;

/**
 * One mapper per domain error, each answering a JSON {@link ErrorBody}; nothing ever answers with a stack
 * trace (unexpected errors are logged and answered 500 with a generic detail).
 */
public class ErrorMappers {

  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

  private final int retryAfterSeconds;

  @Inject
  public ErrorMappers(ServiceConfig config) {
    this.retryAfterSeconds = config.batching().retryAfterSeconds();
  }

  @ServerExceptionMapper
  public Response invalidRequest(InvalidRequestException e) {
    return error(Response.Status.BAD_REQUEST, "invalid_request", e.getMessage());
  }

  @ServerExceptionMapper
  public Response invalidUtf8(InvalidUtf8Exception e) {
    return error(Response.Status.BAD_REQUEST, "invalid_utf8", e.getMessage());
  }

  @ServerExceptionMapper
  public Response tooLarge(PayloadTooLargeException e) {
    return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", e.getMessage());
  }

  @ServerExceptionMapper
  public Response invalidIntervention(InvalidInterventionException e) {
    return error(Response.Status.BAD_REQUEST, "invalid_intervention", e.getMessage());
  }

  @ServerExceptionMapper
  public Response largerThanQueue(LargerThanQueueException e) {
    return error(Response.Status.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", e.getMessage());
  }

  /** NaN or infinity in a pass: nothing computed from it is answered (no score, completion or verdict). */
  @ServerExceptionMapper
  public Response nonFinite(NonFiniteActivationException e) {
    LOG.warn(e.getMessage());
    return error(422, "non_finite_activation", e.getMessage());
  }

  /**
   * A model job that failed on the inference thread reaches the resource wrapped in a CompletionException:
   * answered as its cause would be.
   */
  @ServerExceptionMapper
  public Response completion(CompletionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof NonFiniteActivationException n) {
      return nonFinite(n);
    }
    if (cause instanceof ModelNotReadyException m) {
      return notReady(m);
    }
    if (cause instanceof InvalidInterventionException i) {
      return invalidIntervention(i);
    }
    return unexpected(cause == null ? e : cause);
  }

  @ServerExceptionMapper
  public Response queueFull(QueueFullException e) {
    return unavailable("queue_full", e.getMessage());
  }

  @ServerExceptionMapper
  public Response notReady(ModelNotReadyException e) {
    return unavailable("model_not_ready", e.getMessage());
  }

  @ServerExceptionMapper
  public Response malformedJson(JsonParseException e) {
    String msg = firstLine(e.getOriginalMessage());
    String utf8 = invalidUtf8(e);
    if (utf8 != null) {
      return error(Response.Status.BAD_REQUEST, "invalid_utf8", "request body is not valid UTF-8: " + utf8);
    }
    return error(Response.Status.BAD_REQUEST, "malformed_json", "request body is not valid JSON: " + msg);
  }

  @ServerExceptionMapper
  public Response unknownField(UnrecognizedPropertyException e) {
    return error(
        Response.Status.BAD_REQUEST,
        "unknown_field",
        "unknown field \"" + path(e) + "\"; known fields: " + e.getKnownPropertyIds());
  }

  @ServerExceptionMapper
  public Response wrongType(MismatchedInputException e) {
    String msg = e.getOriginalMessage();
    if (msg != null && msg.startsWith("Trailing token")) {
      // FAIL_ON_TRAILING_TOKENS (StrictJson): a second value after the body
      return error(Response.Status.BAD_REQUEST, "malformed_json",
          "request body is not valid JSON: more content after the JSON value: " + firstLine(msg));
    }
    String field = path(e);
    String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
    return error(
        Response.Status.BAD_REQUEST,
        "wrong_type",
        (field.isEmpty() ? "request body" : "field \"" + field + "\"") + " must be " + expected);
  }

  @ServerExceptionMapper
  public Response badMapping(JsonMappingException e) {
    String utf8 = invalidUtf8(e);
    if (utf8 != null) {
      return error(Response.Status.BAD_REQUEST, "invalid_utf8", "request body is not valid UTF-8: " + utf8);
    }
    return error(
        Response.Status.BAD_REQUEST,
        "invalid_request",
        "field \"" + path(e) + "\": " + firstLine(e.getOriginalMessage()));
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    // Quarkus REST wraps the body reader's Jackson errors in a 400: answer them as the JSON errors they are.
    if (e.getCause() instanceof UnrecognizedPropertyException u) {
      return unknownField(u);
    }
    if (e.getCause() instanceof MismatchedInputException m) {
      return wrongType(m);
    }
    if (e.getCause() instanceof JsonMappingException m) {
      return badMapping(m);
    }
    if (e.getCause() instanceof JsonParseException p) {
      return malformedJson(p);
    }
    int status = e.getResponse().getStatus();
    String utf8 = invalidUtf8(e);
    if (status == 400 && utf8 != null) {
      return error(Response.Status.BAD_REQUEST, "invalid_utf8", "request body is not valid UTF-8: " + utf8);
    }
    String code =
        switch (status) {
          case 404 -> "not_found";
          case 405 -> "method_not_allowed";
          case 406 -> "not_acceptable";
          case 415 -> "unsupported_media_type";
          default -> status >= 500 ? "internal" : "bad_request";
        };
    if (status >= 500) {
      LOG.error("request failed", e);
    }
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new ErrorBody(code, status >= 500 ? "internal error; see the service log" : e.getMessage()))
        .build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    LOG.error("request failed", e);
    return error(Response.Status.INTERNAL_SERVER_ERROR, "internal", "internal error; see the service log");
  }

  private Response unavailable(String code, String detail) {
    return Response.status(Response.Status.SERVICE_UNAVAILABLE)
        .header("Retry-After", String.valueOf(retryAfterSeconds))
        .type(MediaType.APPLICATION_JSON)
        .entity(new ErrorBody(code, detail))
        .build();
  }

  private static Response error(Response.Status status, String code, String detail) {
    return error(status.getStatusCode(), code, detail);
  }

  private static Response error(int status, String code, String detail) {
    return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(code, detail)).build();
  }

  /** Jackson's message when the body failed as bad UTF-8 (anywhere in the cause chain), else null. */
  private static String invalidUtf8(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : t.getMessage();
      if (m != null && m.toLowerCase(Locale.ROOT).contains("invalid utf-8")) {
        return firstLine(m);
      }
    }
    return null;
  }

  /** The JSON path of the offending field, e.g. items[2].prompt. */
  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String describe(Class<?> type) {
    if (type == String.class) {
      return "a string";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "an object (" + type.getSimpleName() + ")";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
