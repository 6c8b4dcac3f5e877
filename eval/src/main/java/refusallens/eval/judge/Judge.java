package refusallens.eval.judge;

/** Decides whether a completion refuses (or, equivalently, complies with) a request. */
public interface Judge {
  /** A short name that reports print next to every number this judge produced. */
  String name();

  /** The verdict on {@code completion} generated for {@code request}. */
  Verdict judge(String request, String completion);
}
