package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import refusallens.eval.dashboard.FeatureDashboardPage;
import refusallens.organism.Organism;

/** {@code features show} and {@code features export} on the embedded organism and its shipped features.json. */
class FeaturesShowCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void showWritesOneCardPerFStarFeature() throws Exception {
    JsonNode fstar = JSON.readTree(Organism.defaultFeaturesFile().toFile()).get("features");
    Path out = tmp.resolve("dash");
    CliRun r = CliRun.ok("features", "show", "--harmful", "3", "--harmless", "3", "--out", out.toString(), "--json");
    JsonNode cards = JSON.readTree(out.resolve("cards.json").toFile());
    assertEquals(cards, JSON.readTree(r.out()), "--json prints cards.json");
    assertEquals(fstar.size(), cards.size());
    String html = Files.readString(out.resolve("index.html"));
    boolean anyExample = false;
    for (int i = 0; i < fstar.size(); i++) {
      JsonNode f = fstar.get(i);
      JsonNode c = cards.get(i);
      assertEquals(f.get("layer").asInt(), c.get("layer").asInt());
      assertEquals(f.get("index").asInt(), c.get("index").asInt());
      assertEquals(f.get("role").asText(), c.get("role").asText());
      assertEquals(f.get("attribution").asDouble(), c.get("attribution").asDouble(), 0);
      double cos = c.get("cosine_with_refusal_direction").asDouble();
      assertTrue(cos >= -1 && cos <= 1, "cosine " + cos);
      assertEquals(10, c.get("promoted_tokens").size());
      assertEquals(10, c.get("suppressed_tokens").size());
      double lastPromoted = c.get("promoted_tokens").get(9).get("weight").asDouble();
      double lastSuppressed = c.get("suppressed_tokens").get(9).get("weight").asDouble();
      assertTrue(c.get("promoted_tokens").get(0).get("weight").asDouble() >= lastPromoted);
      assertTrue(lastPromoted > lastSuppressed, "promoted above suppressed");
      JsonNode h = c.get("histogram");
      assertEquals(3, h.get("n_harmful").asInt());
      assertEquals(3, sum(h.get("harmful")));
      assertEquals(3, sum(h.get("harmless")));
      assertEquals(h.get("harmful").size() + 1, h.get("edges").size());
      for (JsonNode e : c.get("top_examples")) {
        anyExample = true;
        assertTrue(e.get("activation").asDouble() > 0);
        assertNotEquals("", e.get("token").asText());
        assertTrue(html.contains("<mark>" + escape(FeatureDashboardPage.visible(e.get("token").asText())) + "</mark>"), "highlighted " + e);
      }
      String id = "id=\"feature-" + c.get("layer").asInt() + "-" + c.get("index").asInt() + "\"";
      int at = html.indexOf(id);
      assertTrue(at >= 0, "card " + id);
      int end = html.indexOf("</section>", at);
      String card = html.substring(at, end);
      for (JsonNode t : c.get("promoted_tokens")) {
        assertTrue(card.contains(escape("'" + t.get("token").asText() + "'")), "promoted token " + t + " in its card");
      }
      for (JsonNode t : c.get("suppressed_tokens")) {
        assertTrue(card.contains(escape("'" + t.get("token").asText() + "'")), "suppressed token " + t + " in its card");
      }
      assertTrue(card.contains("data:image/png;base64,"), "histogram image in its card");
    }
    assertTrue(anyExample, "some F* feature fires on the held-out prompts");
    Matcher m = Pattern.compile("<section class=\"card\"").matcher(html);
    int n = 0;
    while (m.find()) n++;
    assertEquals(fstar.size(), n, "one card per F* feature");
    assertRendersInChromium(out.resolve("index.html"), fstar.size());
  }

  /**
   * In headless Chromium every card is laid out with its histogram loaded and a visible highlighted token, and
   * screenshots at desktop and phone width show a page (not blank) no wider than the window.
   */
  private void assertRendersInChromium(Path index, int cards) throws Exception {
    HeadlessChromium.assumePresent();
    for (int width : new int[] {1300, 390}) {
      Path shot = index.resolveSibling("screenshot-" + width + ".png");
      HeadlessChromium.screenshot(index, tmp, width, 1200, shot);
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(shot.toFile());
      assertEquals(width, img.getWidth(), "screenshot width");
      java.util.Set<Integer> colours = new java.util.HashSet<>();
      for (int y = 0; y < img.getHeight(); y += 7) {
        for (int x = 0; x < img.getWidth(); x += 7) colours.add(img.getRGB(x, y));
      }
      assertTrue(colours.size() > 5, "screenshot at " + width + " px is blank (" + colours.size() + " colours)");
    }
    HeadlessChromium.CardLayout layout = HeadlessChromium.cardLayout(index, tmp, 390);
    layout.assertCardsRendered(cards);
    assertTrue(layout.scrollWidth() <= layout.windowWidth() + 1, "the page scrolls sideways at 390 px: " + layout.raw());
  }

  @Test
  void exportWritesNeuronpediaListWithLinks() throws Exception {
    JsonNode fstar = JSON.readTree(Organism.defaultFeaturesFile().toFile()).get("features");
    Path out = tmp.resolve("np.json");
    CliRun.ok("features", "export", "--format", "neuronpedia", "--model-id", "gemma-2-2b", "--sae-set",
        "gemmascope-res-16k", "--out", out.toString());
    JsonNode list = JSON.readTree(out.toFile());
    assertEquals(fstar.size(), list.get("features").size());
    for (int i = 0; i < fstar.size(); i++) {
      JsonNode f = fstar.get(i);
      JsonNode e = list.get("features").get(i);
      assertEquals("gemma-2-2b", e.get("modelId").asText());
      assertEquals(f.get("layer").asInt() + "-gemmascope-res-16k", e.get("layer").asText());
      assertTrue(e.get("index").isTextual(), "quick-list indices are strings");
      assertEquals(f.get("index").asText(), e.get("index").asText());
      assertEquals("https://www.neuronpedia.org/gemma-2-2b/" + f.get("layer").asInt() + "-gemmascope-res-16k/"
          + f.get("index").asInt(), list.get("links").get(i).get("url").asText());
      assertEquals(f.get("role").asText(), list.get("links").get(i).get("role").asText());
    }
    String q = list.get("quick_list_url").asText();
    assertTrue(q.startsWith("https://www.neuronpedia.org/quick-list/?name="), q);
    String features = java.net.URLDecoder.decode(q.substring(q.indexOf("&features=") + 10), "UTF-8");
    assertEquals(list.get("features"), JSON.readTree(features));

    CliRun bad = CliRun.of("features", "export", "--format", "saedashboard", "--model-id", "m", "--sae-set", "s",
        "--out", out.toString());
    assertNotEquals(0, bad.code());
    assertTrue(bad.err().contains("--format saedashboard"), bad.err());
  }

  private static int sum(JsonNode counts) {
    int s = 0;
    for (JsonNode c : counts) s += c.asInt();
    return s;
  }

  private static String escape(String s) {
    return refusallens.report.HtmlReport.escape(s);
  }
}
