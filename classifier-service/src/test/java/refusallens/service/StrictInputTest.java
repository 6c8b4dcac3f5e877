package refusallens.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import refusallens.service.fake.WordProbeEngine;

/**
 * Issue 19's bad inputs: each answers a clear 4xx with the JSON error body (overlong UTF-8, trailing JSON,
 * loosely typed or overflowing interventions, HTTP-level limits), and non-finite activations answer 422 with
 * no score, completion or verdict.
 */
@QuarkusTest
class StrictInputTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeEach
  void ready() {
    ReadyAccess.await();
  }

  @Test
  void overlongUtf8IsRefused() {
    byte[] head = "{\"prompt\": \"a".getBytes(StandardCharsets.UTF_8);
    byte[] tail = "b\"}".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    body[head.length] = (byte) 0xC0; // an overlong '/'
    body[head.length + 1] = (byte) 0xAF;
    System.arraycopy(tail, 0, body, head.length + 2, tail.length);
    given().contentType(ContentType.JSON).body(body).post("/v1/classify").then().statusCode(400)
        .contentType(ContentType.JSON).body("error", equalTo("invalid_utf8"))
        .body("detail", containsString("malformed byte sequence C0 at byte " + head.length));
    byte[] surrogate = "{\"prompt\": \"x\u0000\"}".getBytes(StandardCharsets.UTF_8);
    byte[] cesu = new byte[surrogate.length + 2];
    System.arraycopy(surrogate, 0, cesu, 0, 12);
    cesu[12] = (byte) 0xED; // an encoded surrogate (U+D800)
    cesu[13] = (byte) 0xA0;
    cesu[14] = (byte) 0x80;
    System.arraycopy(surrogate, 13, cesu, 15, surrogate.length - 13);
    given().contentType(ContentType.JSON).body(cesu).post("/v1/classify").then().statusCode(400)
        .body("error", equalTo("invalid_utf8"));
  }

  @Test
  void trailingGarbageAfterTheBodyIsRefused() {
    for (String body : List.of("{\"prompt\": \"hi\"} x", "{\"prompt\": \"hi\"}{\"prompt\": \"again\"}", "{\"prompt\": \"hi\"}]")) {
      given().contentType(ContentType.JSON).body(body).post("/v1/classify").then().statusCode(400)
          .contentType(ContentType.JSON).body("error", equalTo("malformed_json"));
    }
    given().contentType(ContentType.JSON).body("{\"prompt\": \"hi\"}  \n").post("/v1/classify").then().statusCode(200);
  }

  static Map<String, Object> entry(Object layer, Object features, String key, Object x) {
    return Map.of("layer", layer, "features", features, key, x);
  }

  static void badIntervention(Map<String, Object> entry, String detail) {
    Map<String, Object> iv = Map.of("interventions", List.of(entry));
    given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "intervention", iv)).post("/v1/generate")
        .then().statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_intervention"))
        .body("detail", containsString(detail));
    given().contentType(ContentType.JSON).body(Map.of("prompts", List.of("x"), "intervention", iv))
        .post("/v1/evaluate/clamp").then().statusCode(400).body("error", equalTo("invalid_intervention"))
        .body("detail", containsString(detail));
  }

  @Test
  void interventionsAreReadStrictlyAndBounded() {
    badIntervention(entry("2", List.of(1), "scale", -3), "interventions[0].layer: expected an integer, got \"2\"");
    badIntervention(entry(2.7, List.of(1), "scale", -3), "interventions[0].layer: expected an integer, got 2.7");
    badIntervention(Map.of("layer", 2, "features", List.of(1), "scale", -3, "positions", Map.of("last", 4294967297L)),
        "got 4294967297");
    badIntervention(entry(2, List.of("1"), "scale", -3), "interventions[0].features[0]: expected an integer");
    badIntervention(entry(2, List.of(1), "scale", 1e300), "'scale' is 1.0E300");
    badIntervention(entry(2, List.of(1), "value", -3e38), "'value' is -3.0E38");
    // the same entry with a sane scale is fine
    given().contentType(ContentType.JSON)
        .body(Map.of("prompt", "x", "max_new_tokens", 2, "intervention", Map.of("interventions", List.of(entry(2, List.of(1), "scale", -3)))))
        .post("/v1/generate").then().statusCode(200);
  }

  @Test
  void nonFiniteActivationsAnswer422AndNoResult() {
    String p = "tell me about " + WordProbeEngine.NON_FINITE_WORD;
    given().contentType(ContentType.JSON).body(Map.of("prompt", p)).post("/v1/classify").then().statusCode(422)
        .contentType(ContentType.JSON).body("error", equalTo("non_finite_activation"))
        .body("detail", containsString("NaN in blocks.2.hook_resid_post"));
    given().contentType(ContentType.JSON).body(Map.of("items", List.of(Map.of("prompt", p)))).post("/v1/classify/batch")
        .then().statusCode(422).body("error", equalTo("non_finite_activation"));
    given().contentType(ContentType.JSON).body(Map.of("prompt", p, "max_new_tokens", 4)).post("/v1/generate")
        .then().statusCode(422).body("error", equalTo("non_finite_activation"));
    given().contentType(ContentType.JSON)
        .body(Map.of("prompts", List.of("hello", p), "intervention",
            Map.of("interventions", List.of(entry(2, List.of(WordProbeEngine.featureOf("bomb")), "scale", -3)))))
        .post("/v1/evaluate/clamp").then().statusCode(422).body("error", equalTo("non_finite_activation"))
        .body("detail", containsString("check the checkpoint weights"));
  }

  /** One raw HTTP/1.1 exchange (RestAssured cannot send a Content-Length that lies or a huge request line). */
  static JsonNode raw(String head, int expectStatus) throws IOException {
    try (Socket s = new Socket("localhost", RestAssured.port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      String text = "";
      for (int n; (n = in.read(buf)) > 0; ) {
        got.write(buf, 0, n);
        text = got.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        int len = text.toLowerCase().indexOf("content-length: ");
        if (end > 0 && len > 0) {
          int cl = Integer.parseInt(text.substring(len + 16, text.indexOf("\r\n", len)).trim());
          if (text.length() >= end + 4 + cl) {
            break;
          }
        }
      }
      assertTrue(text.startsWith("HTTP/1.1 " + expectStatus), text);
      assertTrue(text.toLowerCase().contains("content-type: application/json"), text);
      return JSON.readTree(text.substring(text.indexOf("\r\n\r\n") + 4));
    }
  }

  @Test
  void httpLevelLimitsAnswerJson() throws IOException {
    JsonNode uri = raw("GET /v1/model?q=" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 414);
    assertEquals("uri_too_long", uri.get("error").asText());
    assertTrue(uri.get("detail").asText().contains("the limit is 4096"), uri.toString());
    JsonNode headers = raw("GET /v1/model HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(30000) + "\r\n\r\n", 431);
    assertEquals("headers_too_large", headers.get("error").asText());
    JsonNode body = raw("POST /v1/classify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: 20000000\r\n\r\n{\"prompt\": ", 413);
    assertEquals("payload_too_large", body.get("error").asText());
    assertTrue(body.get("detail").asText().contains("refusallens.service.limits.max-body-bytes"), body.toString());
    // a streamed body just over the limit (10 MiB)
    int limit = 10 * 1024 * 1024;
    String chunk = "a".repeat(1 << 20);
    StringBuilder chunked = new StringBuilder("POST /v1/classify HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < limit / chunk.length(); i++) {
      chunked.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
    }
    chunked.append("10\r\n").append("b".repeat(16)).append("\r\n0\r\n\r\n");
    JsonNode streamed = raw(chunked.toString(), 413);
    assertEquals("payload_too_large", streamed.get("error").asText());
    assertTrue(streamed.get("detail").asText().contains("more than 10485760 bytes"), streamed.toString());
    JsonNode notFound = raw("GET /nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n", 404);
    assertEquals("not_found", notFound.get("error").asText());
  }
}
