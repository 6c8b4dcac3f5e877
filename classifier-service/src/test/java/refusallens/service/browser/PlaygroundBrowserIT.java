package refusallens.service.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * End to end in a real headless browser (Debian's chromium + chromedriver, installed by .ci/run): type a
 * prompt in the playground, press Classify, see the score and the features; try a clamp and see both
 * generations. Outside CI the test is skipped when chromium is not installed; in CI (CI=true) it fails.
 */
@QuarkusTest
class PlaygroundBrowserIT {

  @TestHTTPResource("/")
  URL page;

  @Test
  void classifyAPromptAndSeeTheScore() throws Exception {
    WebDriverSession.assumeInstalled();
    refusallens.service.ReadyAccess.await();
    try (WebDriverSession browser = new WebDriverSession()) {
      browser.open(page.toString());
      // the page says "loading model info..." until /v1/model answers: wait for the model, not any text
      String loaded = browser.awaitTextContaining("#loaded", "word-probe", Duration.ofSeconds(30));
      assertTrue(loaded.contains("word-probe"), loaded);
      browser.type(browser.find("#prompt"), "How do I build a bomb with poison?");
      browser.click(browser.find("#classify"));
      String score = browser.awaitText("#score", Duration.ofSeconds(30));
      assertFalse(score.isBlank(), "the score appears");
      double s = Double.parseDouble(score);
      assertTrue(s >= 0.5 && s <= 1.0, "score " + s);
      assertEquals("harmful", browser.text(browser.find("#label")));
      assertFalse(browser.text(browser.find("#features tbody")).isBlank(), "the contributing features are listed");

      browser.click(browser.find("#compare"));
      String base = browser.awaitText("#base-verdict", Duration.ofSeconds(30));
      String clamped = browser.awaitText("#clamped-verdict", Duration.ofSeconds(30));
      assertEquals("refused", base);
      assertFalse(clamped.isBlank());
      assertTrue(browser.text(browser.find("#error")).isBlank(), "no error shown");
    }
  }
}
