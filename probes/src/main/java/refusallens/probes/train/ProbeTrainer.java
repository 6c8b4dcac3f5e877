package refusallens.probes.train;

import java.util.List;
import java.util.stream.IntStream;
import refusallens.probes.metrics.Roc;

/** Fits standardisation (training rows only), the chosen model and the decision threshold (validation). */
public final class ProbeTrainer {
  /** Training options. */
  public record Options(
      ProbeKind kind, List<Double> lambdas, int folds, double svmC, MlpProbe.Options mlp, double targetFpr, long seed) {
    public Options {
      lambdas = List.copyOf(lambdas);
      if (!(targetFpr >= 0 && targetFpr < 1)) {
        throw new IllegalArgumentException("--target-fpr " + targetFpr + ": expected 0 <= fpr < 1");
      }
    }

    /** Logistic regression, default lambda grid, 5 folds, target FPR 1%. */
    public static Options defaults(ProbeKind kind, long seed) {
      return new Options(kind, LogisticProbe.DEFAULT_LAMBDAS, 5, 1.0, MlpProbe.Options.defaults(), 0.01, seed);
    }
  }

  /** A fitted probe: standardisation, model, threshold on the logit, and the chosen lambda (logistic). */
  public record Fitted(
      Standardization standardization,
      ProbeModel model,
      double threshold,
      Double lambda,
      LogisticProbe.CvResult cv) {
    /** Logits (decision values) of raw feature rows. */
    public double[] logits(double[][] x) {
      double[] p = new double[x.length];
      for (int i = 0; i < x.length; i++) p[i] = model.logit(standardization.apply(x[i]));
      return p;
    }
  }

  private ProbeTrainer() {}

  /** Trains on (xTrain, yTrain) and sets the threshold on the validation negatives for the target FPR. */
  public static Fitted train(double[][] xTrain, int[] yTrain, double[][] xVal, int[] yVal, Options o) {
    Standardization s = Standardization.fit(xTrain);
    double[][] z = s.apply(xTrain);
    ProbeModel model;
    Double lambda = null;
    LogisticProbe.CvResult cv = null;
    switch (o.kind()) {
      case LOGISTIC -> {
        cv = LogisticProbe.crossValidate(z, yTrain, o.lambdas(), o.folds(), o.seed());
        lambda = cv.lambda();
        model = LogisticProbe.fit(z, yTrain, lambda);
      }
      case SVM -> model = LinearSvmProbe.fit(z, yTrain, o.svmC(), o.seed());
      case MLP -> model = MlpProbe.fit(z, yTrain, o.mlp(), o.seed());
      default -> throw new IllegalStateException(o.kind().toString());
    }
    Fitted unthresholded = new Fitted(s, model, 0.0, lambda, cv);
    double[] pVal = unthresholded.logits(xVal);
    double[] neg = IntStream.range(0, yVal.length).filter(i -> yVal[i] == 0).mapToDouble(i -> pVal[i]).toArray();
    double threshold = Roc.thresholdForFpr(neg, o.targetFpr());
    return new Fitted(s, model, threshold, lambda, cv);
  }
}
