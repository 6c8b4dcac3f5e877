package refusallens.refusal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import refusallens.core.sae.Sae;

/** F0: the SAE features whose decoder rows point most along the refusal direction (cosine similarity). */
public final class CosSimSelection {
  private CosSimSelection() {}

  /** One feature and the cosine of its decoder row with the direction. */
  public record Candidate(int layer, int index, double cosine) {}

  /** Cosine of every decoder row of {@code wDec} [m, d] with {@code direction} [d]; zero rows give 0. */
  public static double[] cosines(INDArray wDec, INDArray direction) {
    if (wDec.rank() != 2 || wDec.size(1) != direction.length()) {
      throw new IllegalArgumentException("decoder rows of width " + wDec.size(1) + " against a direction of " + direction.length());
    }
    INDArray w = wDec.castTo(DataType.DOUBLE);
    INDArray v = direction.castTo(DataType.DOUBLE).reshape(direction.length(), 1);
    double vn = v.norm2Number().doubleValue();
    double[] dots = w.mmul(v).toDoubleVector(); // [m]
    double[] norms = Transforms.sqrt(w.mul(w).sum(1), false).toDoubleVector(); // [m]
    double[] out = new double[dots.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = norms[i] > 0 && vn > 0 ? dots[i] / (norms[i] * vn) : 0;
    }
    return out;
  }

  /** The {@code k} features of {@code sae} with the highest cosine to {@code direction}, best first (ties: lower index). */
  public static List<Candidate> topK(Sae sae, INDArray direction, int k) {
    double[] cos = cosines(sae.wDec(), direction);
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < cos.length; i++) {
      all.add(new Candidate(sae.layer(), i, cos[i]));
    }
    all.sort(Comparator.comparingDouble(Candidate::cosine).reversed().thenComparingInt(Candidate::index));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }
}
