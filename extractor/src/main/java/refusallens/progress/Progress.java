package refusallens.progress;

/** Where every long loop (extraction, discovery, evaluation, the study) reports progress: a progress bar on the CLI, nothing in tests. */
public interface Progress {
  /** A new stage of {@code total} steps begins (the previous one, if any, is over). */
  void start(String stage, long total);

  /** {@code n} more steps of the current stage are done. */
  void step(long n);

  /** A one-line note (a choice made, a fallback taken). */
  void log(String message);

  /**
   * A detail of the step just done (a per-step figure): shown beside the progress bar on a terminal, not kept as a
   * line of its own, so that a log stays one line per stage. Default: nothing.
   */
  default void detail(String message) {}

  /** A result that is not what was asked for (a fallback taken): always shown, as a line starting "warning: ". */
  default void warn(String message) {
    log("warning: " + message);
  }

  /** The stage in progress is over. */
  default void finish() {}

  /** Reports nothing but warnings (on stderr). */
  Progress NONE =
      new Progress() {
        @Override
        public void start(String stage, long total) {}

        @Override
        public void step(long n) {}

        @Override
        public void log(String message) {}

        /** Warnings are never silent: on stderr even where progress is not shown. */
        @Override
        public void warn(String message) {
          System.err.println("warning: " + message);
        }
      };
}
