package refusallens.service.engine;

import java.util.Map;

/**
 * The loaded probe: its id, feature view, the labels it separates (score >= threshold means {@code
 * positiveLabel}), its default threshold, its metrics, the file's name (not its path) and hash.
 */
public record ProbeInfo(
    String id,
    String view,
    String positiveLabel,
    String negativeLabel,
    double threshold,
    Map<String, Double> metrics,
    String file,
    String sha256) {
  public ProbeInfo {
    if (!(threshold >= 0.0 && threshold <= 1.0)) {
      throw new IllegalArgumentException("probe threshold must be in [0, 1], got " + threshold);
    }
    metrics = Map.copyOf(metrics);
  }

  /** The label a score gets under {@code threshold}. */
  public String label(double score, double threshold) {
    return score >= threshold ? positiveLabel : negativeLabel;
  }
}
