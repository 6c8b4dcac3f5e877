package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Off a terminal, progress is one line per stage (per-step details dropped), and notes are lines of their own. */
class ConsoleProgressTest {
  @Test
  void offATerminalEachStageIsOneLine() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ConsoleProgress p = new ConsoleProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), false)) {
      p.start("extract", 1000);
      for (int i = 0; i < 1000; i++) {
        p.step(1);
      }
      p.detail("step 1000: AUROC 0.9");
      p.log("chose layer 2");
      p.start("discover", 5);
      p.step(5);
      p.finish();
    }
    assertEquals("extract (1000)\nchose layer 2\ndiscover (5)\n", buf.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
  }

  @Test
  void lineFilterDropsTheChatterAndPassesProgressRedrawsAtOnce() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream f = new PrintStream(new LineFilter(new PrintStream(buf, true, StandardCharsets.UTF_8),
        RefusalLens.SAMEDIFF_CHATTER), true, StandardCharsets.UTF_8);
    f.print("Added differentiated op matmul\nstage 10%\r");
    assertEquals("stage 10%\r", buf.toString(StandardCharsets.UTF_8), "a redraw is passed on at its carriage return");
    f.print("Added differentiated op add\nwarning: x\n");
    f.close();
    assertEquals("stage 10%\rwarning: x\n", buf.toString(StandardCharsets.UTF_8));
  }
}
