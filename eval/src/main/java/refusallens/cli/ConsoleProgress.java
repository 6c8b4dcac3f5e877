package refusallens.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import refusallens.progress.Progress;

/**
 * Progress of long CLI jobs on stderr (stdout stays for results and --json): progress bars on a terminal, one
 * line per stage otherwise (a log file or CI output gets no redraws).
 */
final class ConsoleProgress implements Progress, AutoCloseable {
  private final PrintStream err;
  private final boolean terminal;
  private ProgressBar bar;

  /** Bars when the process runs on a terminal ({@link System#console()}), stage lines otherwise. */
  ConsoleProgress(PrintStream err) {
    this(err, System.console() != null);
  }

  ConsoleProgress(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void start(String stage, long total) {
    finish();
    if (!terminal) {
      err.println(stage + " (" + total + ")");
      return;
    }
    bar = new ProgressBarBuilder()
        .setTaskName(stage)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(err))
        .showSpeed()
        .build();
  }

  @Override
  public void step(long n) {
    if (bar != null) {
      bar.stepBy(n);
    }
  }

  @Override
  public void log(String message) {
    if (bar != null) {
      // on its own line, not onto the bar's: clear the bar, print, and the bar redraws below on its next refresh
      err.print("\r\033[2K");
    }
    err.println(message);
  }

  @Override
  public void detail(String message) {
    if (bar != null) {
      bar.setExtraMessage(message);
    }
  }

  @Override
  public void finish() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }

  @Override
  public void close() {
    finish();
  }
}
