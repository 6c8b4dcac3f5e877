package refusallens.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A forest plot rendered headless to PNG bytes: one row per named item, its estimate as a dot and its interval
 * as a horizontal bar on a shared axis, with the value printed at the right. Rows without an interval show
 * the dot alone; rows without an estimate print "n/a".
 */
public final class ForestChart {
  private record Row(String label, double estimate, double lo, double hi) {}

  private final String title;
  private final String axisLabel;
  private final List<Row> rows = new ArrayList<>();
  private double min = 0;
  private double max = 1;
  private double reference = Double.NaN;

  public ForestChart(String title, String axisLabel) {
    this.title = title;
    this.axisLabel = axisLabel;
  }

  /** Adds a row; {@code ci} may be null (no interval). */
  public ForestChart row(String label, double estimate, double[] ci) {
    rows.add(new Row(label, estimate, ci == null ? Double.NaN : ci[0], ci == null ? Double.NaN : ci[1]));
    return this;
  }

  /** The axis range (default 0..1). */
  public ForestChart range(double min, double max) {
    if (!(max > min)) throw new IllegalArgumentException("forest chart '" + title + "': range max must exceed min");
    this.min = min;
    this.max = max;
    return this;
  }

  /** A dashed vertical reference line (e.g. chance AUROC 0.5). */
  public ForestChart reference(double x) {
    this.reference = x;
    return this;
  }

  /** The number of rows. */
  public int size() {
    return rows.size();
  }

  /** Renders the chart as a PNG image of the given width; the height follows from the rows. */
  public byte[] png(int width) {
    System.setProperty("java.awt.headless", "true");
    int rowH = 22;
    int top = 34;
    int bottom = 44;
    int height = top + bottom + rowH * Math.max(1, rows.size());
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      FontMetrics fm = g.getFontMetrics();
      int labelW = 0;
      for (Row r : rows) labelW = Math.max(labelW, fm.stringWidth(r.label()));
      int valueW = fm.stringWidth("0.000 [0.000, 0.000]");
      int x0 = Math.min(labelW + 16, width / 3);
      int x1 = width - valueW - 16;
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      g.drawString(title, 8, 20);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int axisY = top + rowH * Math.max(1, rows.size());
      g.drawLine(x0, axisY, x1, axisY);
      for (int t = 0; t <= 4; t++) {
        double v = min + (max - min) * t / 4.0;
        int x = px(v, x0, x1);
        g.drawLine(x, axisY, x, axisY + 4);
        String s = String.format(Locale.ROOT, "%.2f", v);
        g.drawString(s, x - fm.stringWidth(s) / 2, axisY + 17);
      }
      g.drawString(axisLabel, (x0 + x1 - fm.stringWidth(axisLabel)) / 2, axisY + 34);
      if (Double.isFinite(reference)) {
        int x = px(reference, x0, x1);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
        g.drawLine(x, top - 4, x, axisY);
        g.setStroke(new BasicStroke(1));
      }
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        int y = top + rowH * i + rowH / 2;
        g.setColor(Color.BLACK);
        String label = r.label();
        while (fm.stringWidth(label) > x0 - 12 && label.length() > 4) label = label.substring(0, label.length() - 2) + "…";
        g.drawString(label, 8, y + 4);
        g.drawString(value(r), x1 + 10, y + 4);
        g.setColor(new Color(0x1f, 0x5f, 0xa8));
        if (Double.isFinite(r.lo()) && Double.isFinite(r.hi())) {
          g.setStroke(new BasicStroke(2));
          g.drawLine(px(r.lo(), x0, x1), y, px(r.hi(), x0, x1), y);
          g.drawLine(px(r.lo(), x0, x1), y - 4, px(r.lo(), x0, x1), y + 4);
          g.drawLine(px(r.hi(), x0, x1), y - 4, px(r.hi(), x0, x1), y + 4);
          g.setStroke(new BasicStroke(1));
        }
        if (Double.isFinite(r.estimate())) g.fillOval(px(r.estimate(), x0, x1) - 4, y - 4, 9, 9);
      }
    } finally {
      g.dispose();
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("rendering forest chart '" + title + "'", e);
    }
  }

  private int px(double v, int x0, int x1) {
    double c = Math.max(min, Math.min(max, v));
    return (int) Math.round(x0 + (c - min) / (max - min) * (x1 - x0));
  }

  private static String value(Row r) {
    if (!Double.isFinite(r.estimate())) return "n/a";
    String e = String.format(Locale.ROOT, "%.3f", r.estimate());
    if (!Double.isFinite(r.lo())) return e;
    return e + String.format(Locale.ROOT, " [%.3f, %.3f]", r.lo(), r.hi());
  }
}
