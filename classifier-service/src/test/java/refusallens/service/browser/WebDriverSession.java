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
 * A minimal W3C WebDriver client over Debian's chromedriver and headless chromium (only what the browser
 * tests need: navigate, find by CSS or XPath, type, click, read text, screenshot). Everything stays on loopback.
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

  /**
   * Skips the calling test when chromium or chromedriver is absent, except in CI (CI=true), where .ci/run
   * installs both and their absence is a failure.
   */
  static void assumeInstalled() {
    boolean installed = Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM);
    if (!"true".equals(System.getenv("CI"))) {
      org.junit.jupiter.api.Assumptions.assumeTrue(installed,
          "chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)");
    }
  }

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

  /** The first element matching the XPath expression (an IOException when there is none). */
  String findXpath(String xpath) throws IOException, InterruptedException {
    JsonNode v = call("POST", "/session/" + session + "/element", Map.of("using", "xpath", "value", xpath));
    return v.path(ELEMENT_KEY).asText();
  }

  /** Polls for an element matching {@code xpath} until one exists (an IOException naming it after the timeout). */
  String awaitXpath(String xpath, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        return findXpath(xpath);
      } catch (IOException notYet) {
        last = notYet;
      }
      Thread.sleep(100);
    }
    throw new IOException("no element " + xpath + " within " + timeout, last);
  }

  /** A DOM property of an element (e.g. a textarea's value). */
  String property(String element, String name) throws IOException, InterruptedException {
    return call("GET", "/session/" + session + "/element/" + element + "/property/" + name, null).asText();
  }

  /** Saves a PNG screenshot of the window to {@code png}. */
  void screenshot(Path png) throws IOException, InterruptedException {
    String base64 = call("GET", "/session/" + session + "/screenshot", null).asText();
    Path parent = png.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(png, java.util.Base64.getDecoder().decode(base64));
  }

  /** Resizes the browser window. */
  void windowSize(int width, int height) throws IOException, InterruptedException {
    call("POST", "/session/" + session + "/window/rect", Map.of("width", width, "height", height));
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

  /** Polls the text of {@code css} until it contains {@code needle} (or the timeout passes: returns the last text). */
  String awaitTextContaining(String css, String needle, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String el = find(css);
    String t = text(el);
    while (!t.contains(needle) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      t = text(el);
    }
    return t;
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
