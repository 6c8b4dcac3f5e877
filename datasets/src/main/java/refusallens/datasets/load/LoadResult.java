package refusallens.datasets.load;

import java.io.PrintWriter;
import java.util.List;
import refusallens.datasets.Prompt;

/**
 * What a loader read: the prompts, how many records were skipped as malformed, and notes on records left
 * out on purpose (failed attacks, filtered categories) so nothing disappears unreported.
 *
 * @param prompts the prompts in file order
 * @param badRows malformed records skipped (only with {@code skipBadRows})
 * @param notes one line per reason records were skipped or filtered, with counts
 */
public record LoadResult(List<Prompt> prompts, int badRows, List<String> notes) {
  public LoadResult {
    prompts = List.copyOf(prompts);
    notes = List.copyOf(notes);
    if (badRows < 0) {
      throw new IllegalArgumentException("badRows must be >= 0");
    }
  }

  /** Prints the notes, one warning per line (the CLI sends them to stderr). */
  public void printNotes(PrintWriter out) {
    for (String n : notes) {
      out.println("warning: " + n);
    }
    out.flush();
  }
}
