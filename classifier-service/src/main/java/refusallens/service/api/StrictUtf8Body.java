package refusallens.service.api;

import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import refusallens.service.config.ServiceConfig;

/**
 * JSON request bodies must be well-formed UTF-8 (RFC 8259): checked with the JDK's strict decoder before
 * Jackson reads them, because Jackson decodes overlong forms (such as {@code C0 AF} for '/') and encoded
 * surrogates without complaint. Bodies are small (bounded by limits.max-body-bytes, enforced here for streamed
 * bodies), so reading them twice is cheap.
 */
@Provider
public class StrictUtf8Body implements ReaderInterceptor {

  // looked up per read: providers are built before the configuration mapping exists
  private final Instance<ServiceConfig> config;

  @Inject
  public StrictUtf8Body(Instance<ServiceConfig> config) {
    this.config = config;
  }

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext ctx) throws IOException {
    MediaType type = ctx.getMediaType();
    if (type != null && !MediaType.APPLICATION_JSON_TYPE.isCompatible(type)) {
      return ctx.proceed();
    }
    // at most one byte past the limit: a streamed body over it is answered here, in JSON, before Quarkus'
    // higher limit (quarkus.http.limits.max-body-size) would answer it with an empty 413
    int maxBodyBytes = config.get().limits().maxBodyBytes();
    byte[] body = ctx.getInputStream().readNBytes(maxBodyBytes + 1);
    if (body.length > maxBodyBytes) {
      throw new PayloadTooLargeException("the request body has more than " + maxBodyBytes
          + " bytes; the limit is " + maxBodyBytes + " (refusallens.service.limits.max-body-bytes)");
    }
    check(body);
    ctx.setInputStream(new ByteArrayInputStream(body));
    return ctx.proceed();
  }

  /** Throws {@link InvalidUtf8Exception} naming the first malformed sequence and its byte offset. */
  static void check(byte[] body) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(Math.max(16, body.length));
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      int at = in.position();
      byte[] bad = new byte[r.length()];
      System.arraycopy(body, at, bad, 0, bad.length);
      throw new InvalidUtf8Exception("request body is not valid UTF-8: malformed byte sequence "
          + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bad) + " at byte " + at);
    }
  }
}
