package refusallens.service.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A minimal W3C WebDriver client over Debian's chromedriver and headless chromium (only what the
 * playground test needs: navigate, find, type, click, read text). Everything stays on loopback.
 */
final class WebDriverSession implements AutoCloseable {

  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final String ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final Process driver;
  private final Path profile;
  private final String base;
  private final String session;

  WebDriverSession() throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    profile = Files.createTempDirectory("refusal-lens-chromium-");
    driver =
        new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    base = "http://127.0.0.1:" + port;
    awaitDriver();
    Map<String, Object> caps =
        Map.of(
            "capabilities",
            Map.of(
                "alwaysMatch",
                Map.of(
                    "browserName", "chrome",
                    "goog:chromeOptions",
                    Map.of(
                        "binary", CHROMIUM.toString(),
                        "args",
                        List.of(
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--disable-dev-shm-usage",
                            "--user-data-dir=" + profile)))));
    session = call("POST", "/session", caps).path("sessionId").asText();
    if (session.isEmpty()) {
      throw new IOException("chromedriver gave no session id");
    }
  }

  void open(String url) throws IOException, InterruptedException {
    call("POST", "/session/" + session + "/url", Map.of("url", url));
  }

  String find(String css) throws IOException, InterruptedException {
    JsonNode v = call("POST", "/session/" + session + "/element", Map.of("using", "css selector", "value", css));
    return v.path(ELEMENT_KEY).asText();
  }

  void type(String element, String text) throws IOException, InterruptedException {
    call("POST", "/session/" + session + "/element/" + element + "/value", Map.of("text", text));
  }

  void click(String element) throws IOException, InterruptedException {
    call("POST", "/session/" + session + "/element/" + element + "/click", Map.of());
  }

  String text(String element) throws IOException, InterruptedException {
    return call("GET", "/session/" + session + "/element/" + element + "/text", null).asText();
  }

  /** Polls the text of {@code css} until it is non-empty (or the timeout passes: returns ""). */
  String awaitText(String css, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String el = find(css);
    while (System.nanoTime() < deadline) {
      String t = text(el);
      if (!t.isBlank()) {
        return t;
      }
      Thread.sleep(100);
    }
    return "";
  }

  private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode tree = json.readTree(r.body());
    if (r.statusCode() != 200) {
      throw new IOException("WebDriver " + method + " " + path + " -> " + r.statusCode() + ": " + r.body());
    }
    return tree.path("value");
  }

  private void awaitDriver() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            http.send(HttpRequest.newBuilder(URI.create(base + "/status")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // chromedriver is still starting
      }
      if (!driver.isAlive()) {
        throw new IOException("chromedriver exited with " + driver.exitValue());
      }
      Thread.sleep(100);
    }
    throw new IOException("chromedriver did not answer on " + base + " within 30 s");
  }

  @Override
  public void close() throws IOException {
    try {
      if (session != null) {
        call("DELETE", "/session/" + session, null);
      }
    } catch (IOException | InterruptedException e) {
      // the browser is going away anyway
    } finally {
      driver.destroy();
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
