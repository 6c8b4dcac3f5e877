package refusallens.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Passes text through to {@code out} except the lines that start with {@code prefix} (a library's chatter). */
final class LineFilter extends OutputStream {
  private final PrintStream out;
  private final String prefix;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  LineFilter(PrintStream out, String prefix) {
    this.out = out;
    this.prefix = prefix;
  }

  @Override
  public synchronized void write(int b) {
    line.write(b);
    // a carriage return ends a progress bar's redraw: pass it on now, not at the bar's final newline
    if (b == '\n' || b == '\r') {
      flushLine();
    }
  }

  @Override
  public synchronized void flush() {
    // a partial line stays buffered until its newline: it may still turn out to be a dropped one
    out.flush();
  }

  @Override
  public synchronized void close() {
    flushLine();
  }

  private void flushLine() {
    String s = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (!s.startsWith(prefix)) {
      out.print(s);
      out.flush();
    }
  }
}
