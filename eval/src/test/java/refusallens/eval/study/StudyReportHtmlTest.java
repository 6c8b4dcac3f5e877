package refusallens.eval.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Formatting of the study report's HTML: attributions, and paths shown relative to the report folder. */
class StudyReportHtmlTest {
  @Test
  void attributionsKeepTwoSignificantFiguresAcrossMagnitudes() {
    // attributions span orders of magnitude: with 3 decimals the small ones all read 0.000
    assertEquals("0.00012", StudyReport.sig2(0.000123456));
    assertEquals("0.046", StudyReport.sig2(0.04567));
    assertEquals("-1.2", StudyReport.sig2(-1.2345));
    assertEquals("3.0", StudyReport.sig2(2.998));
    assertEquals("1.2e-07", StudyReport.sig2(1.2345e-7));
    assertEquals("0", StudyReport.sig2(0));
    assertEquals("n/a", StudyReport.sig2(Double.NaN));
  }

  @Test
  void pathsAreShownRelativeToTheReportFolder(@TempDir Path tmp) {
    Path out = tmp.resolve("study");
    String line = "refusal-lens study --out " + out + " --model " + tmp.resolve("model") + " --data " + out.resolve("bundle");
    String shown = refusallens.report.HtmlReport.relativePaths(line, out);
    assertEquals("refusal-lens study --out . --model ../model --data ./bundle", shown);
    assertFalse(shown.contains(tmp.toString()), shown);
    assertEquals("./probe.json", refusallens.report.HtmlReport.relativePaths(out.resolve("probe.json").toString(), out));
    // only whole path prefixes: a sibling whose name starts like the folder stays as it is
    assertEquals("../study2/x", refusallens.report.HtmlReport.relativePaths(tmp + "/study2/x", out));
    assertEquals("/var" + tmp + "/x", refusallens.report.HtmlReport.relativePaths("/var" + tmp + "/x", out));
  }
}
