package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Headless Chromium for report tests: the DOM after load scripts ran, and screenshots at a window size. */
final class HeadlessChromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");

  private HeadlessChromium() {}

  /** Skips the calling test where Chromium is absent. */
  static void assumePresent() {
    Assumptions.assumeTrue(Files.isExecutable(BINARY), BINARY + " is absent: the browser check is skipped");
  }

  /** The DOM of {@code page} once loaded (scripts run, 5 s virtual time) in a window {@code width} px wide. */
  static String dumpDom(Path page, Path profileParent, int width) throws Exception {
    return new String(run(page, profileParent, List.of("--window-size=" + width + ",1200", "--dump-dom")));
  }

  /** A PNG screenshot of {@code page} in a {@code width} x {@code height} window, written to {@code png}. */
  static void screenshot(Path page, Path profileParent, int width, int height, Path png) throws Exception {
    run(page, profileParent, List.of("--window-size=" + width + "," + height, "--hide-scrollbars",
        "--screenshot=" + png.toAbsolutePath()));
    assertTrue(Files.isRegularFile(png), "chromium wrote no screenshot " + png);
  }

  /**
   * Each {@code section.card} of {@code page} as laid out in a window {@code width} px wide: "W:M" with W the
   * natural width of its first image (0: not loaded) and M the rendered width of its first highlighted token
   * (-1: none), then the page's scroll width over the window width ("SCROLL[s/w]"). The page is copied beside
   * itself with a check script added.
   */
  static CardLayout cardLayout(Path page, Path profileParent, int width) throws Exception {
    String probe = "<script>window.addEventListener('load',function(){var o=[];"
        + "document.querySelectorAll('section.card').forEach(function(c){var i=c.querySelector('img');"
        + "var m=c.querySelector('mark');o.push((i?i.naturalWidth:0)+':'+(m?Math.round(m.getBoundingClientRect().width):-1))});"
        + "var d=document.createElement('pre');d.id='check';d.textContent='CARDS['+o.join(',')+'] SCROLL['"
        + "+document.documentElement.scrollWidth+'/'+window.innerWidth+']';document.body.appendChild(d);});</script>";
    Path checked = page.resolveSibling("render-check-" + width + "-" + page.getFileName());
    Files.writeString(checked, Files.readString(page).replace("</body>", probe + "</body>"));
    String dom = dumpDom(checked, profileParent, width);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("CARDS\\[([0-9:,-]*)]").matcher(dom);
    assertTrue(m.find(), "the check script did not run on " + page);
    java.util.regex.Matcher s = java.util.regex.Pattern.compile("SCROLL\\[(\\d+)/(\\d+)]").matcher(dom);
    assertTrue(s.find(), "the check script did not report the page width");
    List<String> cards = m.group(1).isEmpty() ? List.of() : List.of(m.group(1).split(","));
    return new CardLayout(cards, Integer.parseInt(s.group(1)), Integer.parseInt(s.group(2)), m.group(0));
  }

  /** What {@link #cardLayout} measured. */
  record CardLayout(List<String> cards, int scrollWidth, int windowWidth, String raw) {
    /** Asserts every card's image loaded and its highlighted token (when it has one) has a width. */
    void assertCardsRendered(int expected) {
      org.junit.jupiter.api.Assertions.assertEquals(expected, cards.size(), "cards laid out: " + raw);
      for (String c : cards) {
        String[] wm = c.split(":");
        assertTrue(Integer.parseInt(wm[0]) > 0, "a card's histogram did not load: " + raw);
        assertTrue(Integer.parseInt(wm[1]) != 0, "a card's highlighted token has no width: " + raw);
      }
    }
  }

  private static byte[] run(Path page, Path profileParent, List<String> args) throws Exception {
    Path profile = Files.createTempDirectory(profileParent, "chromium");
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
    cmd.addAll(args);
    cmd.add(page.toUri().toString());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    return out;
  }
}
