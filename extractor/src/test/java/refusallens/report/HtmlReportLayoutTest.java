package refusallens.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forest charts render, and a report with wide tables and charts fits a phone and a laptop width without page overflow. */
class HtmlReportLayoutTest {
  @TempDir Path tmp;

  @Test
  void forestChartGrowsWithItsRows() throws Exception {
    ForestChart c = new ForestChart("fr", "AUROC").reference(0.5).row("id test", 0.9, new double[] {0.85, 0.95});
    BufferedImage one = ImageIO.read(new ByteArrayInputStream(c.png(540)));
    c.row("suffix", 0.7, null).row("empty", Double.NaN, null);
    byte[] png = c.png(540);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    BufferedImage three = ImageIO.read(new ByteArrayInputStream(png));
    assertTrue(three.getWidth() == 540 && three.getHeight() > one.getHeight(), "one row per item");
  }

  @Test
  void wideTablesScrollInTheirOwnBoxAtPhoneAndLaptopWidth() throws Exception {
    Path chromium = Path.of("/usr/bin/chromium");
    Assumptions.assumeTrue(Files.isExecutable(chromium), "/usr/bin/chromium is absent: the layout check is skipped");
    List<String> header = new ArrayList<>(List.of("view"));
    List<String> row = new ArrayList<>(List.of("random(fh+fr)"));
    for (int i = 0; i < 24; i++) {
      header.add("suffix:jailbroken-" + i + " AUROC");
      row.add("0.912 +/- 0.034");
    }
    List<byte[]> forests = new ArrayList<>();
    for (int v = 0; v < 3; v++) {
      forests.add(new ForestChart("view " + v, "AUROC").row("id test", 0.9, new double[] {0.8, 0.95}).png(540));
    }
    HtmlReport h = new HtmlReport("layout")
        .paragraph("manifest " + "0123456789abcdef".repeat(8))
        .table(header, List.of(row))
        .pngRow(forests, List.of("a", "b", "c"))
        .png(new LineChart("per layer", "layer", "AUROC").series("ID", new double[] {1, 2}, new double[] {0.8, 0.9}).png(640, 360), "l");
    Path html = tmp.resolve("report.html");
    h.write(html);
    for (int width : new int[] {390, 1300}) {
      String check = render(chromium, html, width);
      Matcher m = Pattern.compile("LAYOUT (\\d+) (\\d+)").matcher(check);
      assertTrue(m.find(), "the check script did not run at " + width + " px");
      assertTrue(Integer.parseInt(m.group(2)) == width, "framed at " + width + " px, viewport " + m.group(2));
      assertTrue(Integer.parseInt(m.group(1)) <= Integer.parseInt(m.group(2)),
          "page scrolls sideways at " + width + " px: scrollWidth " + m.group(1) + " > viewport " + m.group(2));
    }
  }

  /**
   * Renders the report in an iframe of the given width inside a wrapper page (headless Chromium will not open a
   * window narrower than 500 px); a script records the framed page's scroll width and viewport width.
   */
  private String render(Path chromium, Path html, int width) throws Exception {
    String wrapper = "<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"f\" style=\"border:0;width:" + width
        + "px;height:900px\" src=\"" + html.getFileName() + "\"></iframe><script>document.getElementById('f')"
        + ".addEventListener('load',function(){var w=this.contentWindow;var d=document.createElement('pre');"
        + "d.textContent='LAYOUT '+w.document.documentElement.scrollWidth+' '+w.innerWidth;"
        + "document.body.appendChild(d);});</script></body></html>";
    Path copy = html.resolveSibling("layout-" + width + ".html");
    Files.writeString(copy, wrapper);
    Path profile = Files.createTempDirectory(tmp, "chromium");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
        "--allow-file-access-from-files", "--user-data-dir=" + profile, "--window-size=" + (width + 100) + ",1000",
        "--virtual-time-budget=5000", "--dump-dom", copy.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String dom = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
    return dom;
  }
}
