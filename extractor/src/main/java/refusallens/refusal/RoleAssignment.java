package refusallens.refusal;

import java.util.Map;

/**
 * Splits F* into refusal features (FR) and harm features (FH): a refusal feature acts at the post-instruction
 * positions (its mean activation there is at least {@code minPostShare} of the sum of that mean and its peak on
 * the request's tokens: the peak, not the mean, because a harm feature fires on the few harmful words of a
 * request and a mean over all its tokens would hide that) and is shared across harm categories (active at those positions, at least half its overall level,
 * in at least {@code minCoverage} of the categories); every other feature of F* fires on the harmful content
 * upstream and is a harm feature.
 */
public record RoleAssignment(double minPostShare, double minCoverage) {
  public RoleAssignment {
    if (!(minPostShare >= 0 && minPostShare <= 1) || !(minCoverage >= 0 && minCoverage <= 1)) {
      throw new IllegalArgumentException("role thresholds must lie in [0, 1], got " + minPostShare + ", " + minCoverage);
    }
  }

  /** Post-instruction share at least 0.5, coverage at least 0.5. */
  public static RoleAssignment defaults() {
    return new RoleAssignment(0.5, 0.5);
  }

  /** The rule in words, recorded in features.json. */
  public String describe() {
    return "refusal if postInstructionShare = postInstructionMean / (contentPeak + postInstructionMean) >= " + minPostShare + " and categoryCoverage >= " + minCoverage
        + " (a category counts when its mean post-instruction activation is at least half the overall one); harm otherwise";
  }

  /** The evidence of one feature from its activation statistics on harmful prompts. */
  public FeaturesFile.RoleEvidence evidence(
      double contentMean, double contentPeak, double postMean, double[] profile, Map<String, Double> byCategory) {
    double total = contentPeak + postMean;
    double share = total > 0 ? postMean / total : 0;
    int covered = 0;
    for (double v : byCategory.values()) {
      if (postMean > 0 && v >= 0.5 * postMean) {
        covered++;
      }
    }
    double coverage = byCategory.isEmpty() ? 0 : (double) covered / byCategory.size();
    return new FeaturesFile.RoleEvidence(contentMean, contentPeak, postMean, share, profile.clone(), coverage, Map.copyOf(byCategory));
  }

  /** The role the evidence implies. */
  public FeatureRole role(FeaturesFile.RoleEvidence e) {
    return e.postInstructionMean() > 0 && e.postInstructionShare() >= minPostShare && e.categoryCoverage() >= minCoverage
        ? FeatureRole.REFUSAL
        : FeatureRole.HARM;
  }
}
