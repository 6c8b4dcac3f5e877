package refusallens.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Line charts (e.g. ROC curves) rendered headless to PNG bytes with XChart. */
public final class LineChart {
  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final Map<String, double[][]> series = new LinkedHashMap<>();
  private double[] range;

  public LineChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** Adds a series of points {x[], y[]}. */
  public LineChart series(String name, double[] x, double[] y) {
    if (x.length != y.length || x.length == 0) {
      throw new IllegalArgumentException("chart series '" + name + "': x and y must be non-empty and of equal length");
    }
    series.put(name, new double[][] {x, y});
    return this;
  }

  /** Fixes both axes (e.g. the unit square of a ROC plot); ticks get one decimal. */
  public LineChart range(double xMin, double xMax, double yMin, double yMax) {
    range = new double[] {xMin, xMax, yMin, yMax};
    return this;
  }

  /** Renders the chart as a PNG image. */
  public byte[] png(int width, int height) {
    System.setProperty("java.awt.headless", "true");
    XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    if (range != null) {
      c.getStyler().setXAxisMin(range[0]).setXAxisMax(range[1]).setYAxisMin(range[2]).setYAxisMax(range[3]);
      c.getStyler().setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0");
      c.getStyler().setXAxisTickMarkSpacingHint(60).setYAxisTickMarkSpacingHint(60);
    }
    series.forEach((name, xy) -> c.addSeries(name, xy[0], xy[1]).setMarker(SeriesMarkers.NONE));
    try {
      return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("rendering chart '" + title + "'", e);
    }
  }
}
