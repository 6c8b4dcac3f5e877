package refusallens.eval.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import refusallens.report.HtmlReport;
import refusallens.report.LineChart;

/** Renders feature cards into one self-contained HTML page (charts embedded as PNG data URIs). */
public final class FeatureDashboardPage {
  private FeatureDashboardPage() {}

  /** The page's file name in a dashboard folder ({@code features show --out}, a study's dashboards/). */
  public static final String INDEX = "index.html";
  /** The cards as JSON beside the page. */
  public static final String CARDS = "cards.json";

  /** The page: a summary table, then one card per feature. */
  public static HtmlReport render(List<FeatureCard> cards, String source) {
    return render(cards, source, null);
  }

  /**
   * The page, with a link back to {@code parentReport} (relative, e.g. {@code ../report.html} in a study's
   * folder) at its top when it is not null.
   */
  public static HtmlReport render(List<FeatureCard> cards, String source, String parentReport) {
    HtmlReport h = new HtmlReport("Refusal features (F*): dashboards");
    if (parentReport != null) {
      h.link("Part of a study: ", parentReport, "the study report");
    }
    h.paragraph(explanation(source));
    appendCards(h, cards);
    return h;
  }

  /** What the cards show, for the features of {@code source}. */
  public static String explanation(String source) {
    return "Features of " + source + ". Examples: each prompt's most activating token with " + FeatureDashboard.CONTEXT
        + " tokens either side; promoted/suppressed tokens: the decoder row times the unembedding (W_dec · W_U), top and"
        + " bottom " + FeatureDashboard.LOGIT_TOKENS + ".";
  }

  /** A summary table, then one card per feature, appended to {@code h} (the dashboard page or a study report). */
  public static void appendCards(HtmlReport h, List<FeatureCard> cards) {
    List<List<String>> rows = new ArrayList<>();
    for (FeatureCard c : cards) {
      rows.add(List.of(c.layer() + "/" + c.index(), roleName(c.role()), sig(c.cosineWithRefusalDirection()), sig(c.attribution())));
    }
    h.table(List.of("feature (layer/index)", "role", "cosine with V*_R", "attribution"), rows);
    for (FeatureCard c : cards) {
      h.card("feature-" + c.layer() + "-" + c.index(), "Layer " + c.layer() + ", feature " + c.index() + " (" + roleName(c.role()) + ")");
      h.table(List.of("layer", "index", "role", "cosine with V*_R", "attribution"),
          List.of(List.of(String.valueOf(c.layer()), String.valueOf(c.index()), c.role(),
              sig(c.cosineWithRefusalDirection()), sig(c.attribution()))));
      h.heading("Top-activating prompts");
      if (c.topExamples().isEmpty()) {
        h.paragraph("The feature fired on none of the prompts.");
      }
      for (FeatureCard.Example e : c.topExamples()) {
        h.highlighted(e.before(), visible(e.token()), e.after(), e.label() + " " + e.promptId() + ", activation " + sig(e.activation()));
      }
      h.heading("Promoted and suppressed tokens");
      List<List<String>> logit = new ArrayList<>();
      for (int i = 0; i < Math.max(c.promotedTokens().size(), c.suppressedTokens().size()); i++) {
        logit.add(List.of(cell(c.promotedTokens(), i, false), cell(c.promotedTokens(), i, true),
            cell(c.suppressedTokens(), i, false), cell(c.suppressedTokens(), i, true)));
      }
      h.table(List.of("promoted", "weight", "suppressed", "weight"), logit);
      FeatureCard.Histogram hist = c.histogram();
      double[] x = new double[hist.harmful().length];
      for (int i = 0; i < x.length; i++) {
        x[i] = (hist.edges()[i] + hist.edges()[i + 1]) / 2;
      }
      h.png(new LineChart("Activation histogram", hist.statistic(), "prompts")
          .series("harmful (n=" + hist.nHarmful() + ")", x, toDouble(hist.harmful()))
          .series("harmless (n=" + hist.nHarmless() + ")", x, toDouble(hist.harmless()))
          .png(520, 260), "activation histogram, layer " + c.layer() + " feature " + c.index());
      h.endCard();
    }
  }

  private static String cell(List<FeatureCard.LogitToken> tokens, int i, boolean weight) {
    if (i >= tokens.size()) return "";
    return weight ? sig(tokens.get(i).weight()) : "'" + tokens.get(i).token() + "'";
  }

  /** The role with the paper's set name: harm features are FH, refusal features FR. */
  static String roleName(String role) {
    return switch (role) {
      case "harm" -> "harm, FH";
      case "refusal" -> "refusal, FR";
      default -> role;
    };
  }

  /** A token as highlighted: a whitespace-only token (newline, space) drawn with visible marks, else as is. */
  public static String visible(String token) {
    return token.isBlank() ? token.replace("\n", "\u21b5").replace(" ", "\u2423").replace("\t", "\u21e5") : token;
  }

  private static double[] toDouble(int[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) d[i] = v[i];
    return d;
  }

  /** Two significant figures (attributions are small; fixed decimals print them as 0.000). */
  static String sig(double v) {
    return String.format(Locale.ROOT, "%.2g", v);
  }
}
