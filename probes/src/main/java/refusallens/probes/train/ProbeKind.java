package refusallens.probes.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The probe models: two linear (Smile) and one non-linear baseline (Deeplearning4j). */
public enum ProbeKind {
  /** L2 logistic regression, lambda by k-fold cross-validation (Smile). */
  LOGISTIC,
  /** Linear SVM (Smile LASVM), Platt-scaled to probabilities. */
  SVM,
  /** One-hidden-layer ReLU MLP (Deeplearning4j). */
  MLP;

  /** The lower-case name used on the command line and in files (files of older versions wrote LOGISTIC: read too). */
  @com.fasterxml.jackson.annotation.JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code logistic}, {@code svm} or {@code mlp} (any case). */
  @com.fasterxml.jackson.annotation.JsonCreator
  public static ProbeKind parse(String s) {
    for (ProbeKind k : values()) if (k.id().equalsIgnoreCase(s.trim())) return k;
    throw new IllegalArgumentException(
        "probe model '" + s + "': expected one of "
            + Arrays.stream(values()).map(ProbeKind::id).collect(Collectors.joining(", ")));
  }
}
