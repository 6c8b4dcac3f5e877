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
