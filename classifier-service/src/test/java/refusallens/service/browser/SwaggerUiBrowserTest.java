package refusallens.service.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import refusallens.service.ReadyAccess;

/**
 * Swagger UI's "Try it out" on POST /v1/classify in headless Chromium: expand the operation, press "Try it out"
 * and "Execute" with the request example the OpenAPI document gives, and see the live response's status 200
 * (the document's example was once camelCase and answered 400). The page is saved as
 * target/swagger-ui-try-it-out.png. Skipped where chromium or chromedriver is absent (outside CI).
 */
@QuarkusTest
class SwaggerUiBrowserTest {

  /** The operation's block in Swagger UI, found by its path (exactly /v1/classify, not /v1/classify/batch). */
  private static final String OPERATION =
      "//div[contains(@class,'opblock-post') and .//*[@data-path='/v1/classify']]";

  @TestHTTPResource("/q/swagger-ui")
  URL page;

  @Test
  void tryItOutWithTheDefaultExampleAnswers200() throws Exception {
    WebDriverSession.assumeInstalled();
    ReadyAccess.await();
    try (WebDriverSession browser = new WebDriverSession()) {
      browser.windowSize(1300, 1600);
      browser.open(page.toString());
      browser.click(browser.awaitXpath(OPERATION + "//*[contains(@class,'opblock-summary-path')]", Duration.ofSeconds(30)));
      browser.click(browser.awaitXpath(OPERATION + "//button[contains(@class,'try-out__btn')]", Duration.ofSeconds(10)));
      String body = browser.property(browser.awaitXpath(OPERATION + "//textarea[contains(@class,'body-param__text')]",
          Duration.ofSeconds(10)), "value");
      assertTrue(body.contains("\"prompt\""), "the editor holds the document's example: " + body);
      browser.click(browser.awaitXpath(OPERATION + "//button[contains(@class,'execute')]", Duration.ofSeconds(10)));
      String status = browser.text(browser.awaitXpath(OPERATION
          + "//table[contains(@class,'live-responses-table')]//tr[contains(concat(' ', normalize-space(@class), ' '), ' response ')]"
          + "//td[contains(@class,'response-col_status')]",
          Duration.ofSeconds(30)));
      Path shot = Path.of("target", "swagger-ui-try-it-out.png");
      browser.screenshot(shot);
      assertTrue(Files.size(shot) > 1000, "screenshot written: " + shot.toAbsolutePath());
      assertEquals("200", status.trim(), "live response status in Swagger UI (screenshot " + shot.toAbsolutePath() + ")");
      String response = browser.text(browser.findXpath(OPERATION
          + "//table[contains(@class,'live-responses-table')]//tr[contains(concat(' ', normalize-space(@class), ' '), ' response ')]"
          + "//td[contains(@class,'response-col_description')]"));
      assertTrue(response.contains("\"label\""), "the response body is shown: " + response);
    }
  }
}
