package refusallens.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  @Test
  void escapesTextAndEmbedsPngCharts() {
    byte[] png = new LineChart("ROC", "FPR", "TPR").series("a<b", new double[] {0, 1}, new double[] {0, 1}).png(300, 200);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    String html =
        new HtmlReport("x & <y>")
            .heading("h\"1")
            .table(List.of("view", "AUROC"), List.of(List.of("<script>", "0.5")))
            .png(png, "roc")
            .toHtml();
    assertTrue(html.contains("<h1>x &amp; &lt;y&gt;</h1>"));
    assertTrue(html.contains("<td>&lt;script&gt;</td>"));
    assertFalse(html.contains("<script>"));
    assertTrue(html.contains("src=\"data:image/png;base64,iVBOR"));
  }
}
