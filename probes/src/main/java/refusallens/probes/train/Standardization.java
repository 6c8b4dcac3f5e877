package refusallens.probes.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Per-column standardisation z = (x - mean) / std, fitted on training rows only; a column that is constant
 * on the training rows (common for SAE features that never fire) gets std 1 so it maps to x - mean.
 */
public record Standardization(double[] mean, double[] std) {
  /** Below this standard deviation a column counts as constant. */
  static final double MIN_STD = 1e-8;

  @JsonCreator
  public Standardization(@JsonProperty("mean") double[] mean, @JsonProperty("std") double[] std) {
    if (mean == null || std == null || mean.length != std.length) {
      throw new IllegalArgumentException("standardisation needs mean and std of the same length");
    }
    for (double s : std) {
      if (!(s > 0)) throw new IllegalArgumentException("standardisation std must be > 0, got " + s);
    }
    this.mean = mean;
    this.std = std;
  }

  /** Fits column means and (population) standard deviations on the given rows. */
  public static Standardization fit(double[][] x) {
    if (x.length == 0) throw new IllegalArgumentException("cannot standardise zero rows");
    int p = x[0].length;
    double[] mean = new double[p];
    double[] std = new double[p];
    for (double[] row : x) for (int j = 0; j < p; j++) mean[j] += row[j];
    for (int j = 0; j < p; j++) mean[j] /= x.length;
    for (double[] row : x) {
      for (int j = 0; j < p; j++) {
        double d = row[j] - mean[j];
        std[j] += d * d;
      }
    }
    for (int j = 0; j < p; j++) {
      double s = Math.sqrt(std[j] / x.length);
      std[j] = s < MIN_STD ? 1.0 : s;
    }
    return new Standardization(mean, std);
  }

  /** Number of input columns. */
  public int width() {
    return mean.length;
  }

  /** Standardises one row (a new array). */
  public double[] apply(double[] row) {
    if (row.length != mean.length) {
      throw new IllegalArgumentException(
          "feature vector has " + row.length + " values, the probe expects " + mean.length);
    }
    double[] z = new double[row.length];
    for (int j = 0; j < row.length; j++) z[j] = (row[j] - mean[j]) / std[j];
    return z;
  }

  /** Standardises every row (new arrays). */
  public double[][] apply(double[][] x) {
    double[][] z = new double[x.length][];
    for (int i = 0; i < x.length; i++) z[i] = apply(x[i]);
    return z;
  }
}
