package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load test's HTTP/1.1 connection against the JDK's HTTP server: statuses, bodies, keep-alive, auth. */
class Http11ConnectionTest {
  private HttpServer server;
  private URI base;
  private final Set<String> peers = ConcurrentHashMap.newKeySet();
  private final List<String> bodies = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/classify", exchange -> {
      peers.add(exchange.getRemoteAddress().toString());
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      synchronized (bodies) {
        bodies.add(body);
      }
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      byte[] reply = ("{\"echo\":" + body + "}").getBytes(StandardCharsets.UTF_8);
      int status = body.contains("busy") ? 503 : auth == null || auth.equals("Bearer k") ? 200 : 401;
      // 0 = chunked, otherwise a Content-Length response
      exchange.sendResponseHeaders(status, body.contains("chunked") ? 0 : reply.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(reply);
      }
    });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void readsStatusesAndBodiesOverOneKeptAliveConnection() throws IOException {
    try (Http11Connection c = new Http11Connection(base, 5_000)) {
      assertEquals(200, c.send(Http11Connection.jsonPost(base, "/v1/classify", "{\"prompt\":\"plain\"}", null)));
      assertEquals(200, c.send(Http11Connection.jsonPost(base, "/v1/classify", "{\"prompt\":\"chunked reply\"}", null)));
      assertEquals(503, c.send(Http11Connection.jsonPost(base, "/v1/classify", "{\"prompt\":\"busy\"}", null)));
      assertEquals(200, c.send(Http11Connection.jsonPost(base, "/v1/classify", "{\"prompt\":\"caf\u00e9\"}", "k")));
      assertEquals(401, c.send(Http11Connection.jsonPost(base, "/v1/classify", "{\"prompt\":\"x\"}", "wrong")));
    }
    assertEquals(1, peers.size(), "every request went over the same connection: " + peers);
    assertEquals("{\"prompt\":\"caf\u00e9\"}", bodies.get(3), "the UTF-8 body arrives whole");
  }

  @Test
  void aStoppedServerIsAnIoError() {
    server.stop(0);
    Http11Connection c = new Http11Connection(base, 2_000);
    assertThrows(IOException.class, () -> c.send(Http11Connection.jsonPost(base, "/v1/classify", "{}", null)));
  }
}
