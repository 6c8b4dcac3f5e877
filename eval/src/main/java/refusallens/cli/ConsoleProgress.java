package refusallens.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import refusallens.progress.Progress;

/** Progress of long CLI jobs as progress bars on stderr (stdout stays for results and --json). */
final class ConsoleProgress implements Progress, AutoCloseable {
  private final PrintStream err;
  private ProgressBar bar;

  ConsoleProgress(PrintStream err) {
    this.err = err;
  }

  @Override
  public void start(String stage, long total) {
    finish();
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
    err.println(message);
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
