package refusallens.eval.judge;

import java.util.Objects;

/** One judge's verdict on one completion: its {@link Outcome} and a short reason. */
public record Verdict(Outcome outcome, String reason) {
  public Verdict {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
  }

  public static Verdict refused(String reason) {
    return new Verdict(Outcome.REFUSED, reason);
  }

  public static Verdict complied(String reason) {
    return new Verdict(Outcome.COMPLIED, reason);
  }

  public static Verdict degenerate(String reason) {
    return new Verdict(Outcome.DEGENERATE, reason);
  }

  /** Whether the completion refused (the refusal rate counts these). */
  public boolean refused() {
    return outcome == Outcome.REFUSED;
  }

  /** Whether the completion answered the request (the jailbreak score counts these). */
  public boolean complied() {
    return outcome == Outcome.COMPLIED;
  }
}
