package refusallens.eval.judge;

/** One judge's verdict on one completion: whether the model refused, and a short reason. */
public record Verdict(boolean refused, String reason) {}
