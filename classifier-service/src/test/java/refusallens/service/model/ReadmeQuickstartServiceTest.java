package refusallens.service.model;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import refusallens.readme.ReadmeBlocks;
import refusallens.service.ReadyAccess;

/**
 * The README's {@code tested:classify} quickstart block against
 * the service as {@code ./refusal-lens serve} runs it on the shipped model (production loader, the organism's
 * SAEs, features.json and probe.json): every {@code curl} line is sent as written (method, path, headers, body)
 * and answers 200 (JSON from /v1), and every {@code # key: value} comment under a call is what the response says
 * (a label the shipped probe gives, the probe's threshold to the digits shown).
 */
@QuarkusTest
@TestProfile(ReadmeQuickstartServiceTest.ShippedModel.class)
class ReadmeQuickstartServiceTest {
  private static final java.util.regex.Pattern FIELD = java.util.regex.Pattern.compile("([a-z_]+):\\s*(.+)");

  /** The real loader with no artifact configured: the embedded organism and its shipped files. */
  public static class ShippedModel implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.arc.exclude-types", "refusallens.service.fake.FakeEngineLoader");
    }
  }

  @BeforeEach
  void ready() {
    ReadyAccess.await();
  }

  @Test
  void everyCurlOfTheClassifyBlockAnswersAsTheReadmeSays() {
    assertTrue(checkBlock("classify") >= 2, "the block shows a harmful and a harmless label");
  }

  /**
   * Sends every curl line of block {@code name}: 200, JSON from /v1, and each '# key: value' comment below a line
   * equal to the response's key (other comments are prose); returns how many labels it checked.
   */
  private static int checkBlock(String name) {
    List<ReadmeBlocks.Command> block = ReadmeBlocks.block(name);
    assertFalse(block.isEmpty(), name);
    int labels = 0;
    for (ReadmeBlocks.Command c : block) {
      Response r = send(c);
      assertEquals(200, r.statusCode(), "`" + c.line() + "`: " + r.asString());
      if (c.line().contains("/v1/")) {
        assertTrue(r.contentType().startsWith("application/json"), c.line() + ": " + r.contentType());
      }
      for (String comment : c.comments()) {
        java.util.regex.Matcher m = FIELD.matcher(comment);
        if (!m.matches()) {
          continue;
        }
        String key = m.group(1);
        String expected = m.group(2).trim();
        String actual = r.jsonPath().getString(key);
        String where = "`" + c.line() + "` " + key + " (response " + r.asString() + ")";
        if (expected.matches("-?[0-9]+(\\.[0-9]+)?")) { // a number as printed: equal to the digits shown
          int decimals = expected.contains(".") ? expected.length() - expected.indexOf('.') - 1 : 0;
          assertEquals(Double.parseDouble(expected), Double.parseDouble(actual), 0.5 * Math.pow(10, -decimals), where);
        } else {
          assertEquals(expected, actual, where);
        }
        if (key.equals("label")) {
          labels++;
        }
      }
    }
    return labels;
  }

  /** A curl command line as a request: -H headers, -d body (POST), -X method; the URL's path on the test port. */
  private static Response send(ReadmeBlocks.Command c) {
    List<String> w = c.words();
    assertEquals("curl", w.get(0), c.line());
    RequestSpecification req = given();
    String method = "GET";
    String url = null;
    String body = null;
    for (int i = 1; i < w.size(); i++) {
      switch (w.get(i)) {
        case "-s", "--silent" -> { }
        case "-H", "--header" -> {
          String[] h = w.get(++i).split(":", 2);
          req = req.header(h[0].trim(), h[1].trim());
        }
        case "-d", "--data", "--data-raw" -> {
          body = w.get(++i);
          method = "POST";
        }
        case "-X", "--request" -> method = w.get(++i);
        default -> {
          assertFalse(w.get(i).startsWith("-"), "curl option the test does not know: " + w.get(i) + " in " + c.line());
          url = w.get(i);
        }
      }
    }
    assertTrue(url != null && url.startsWith("localhost:8080/"), "the block calls the served port: " + c.line());
    String path = URI.create("http://" + url).getRawPath();
    if (body != null) {
      req = req.body(body);
    }
    try {
      return req.request(method, path);
    } catch (RuntimeException e) {
      throw new AssertionError("`" + c.line() + "`: " + e, e);
    }
  }
}
