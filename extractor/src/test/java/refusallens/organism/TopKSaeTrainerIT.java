package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A TopK SAE trained on sparse data recovers it (organism training: about a minute, so in {@code verify}). */
class TopKSaeTrainerIT {
  @Test
  void learnsSparseDictionaryWithBoundedL0() {
    INDArray x = TopKSaeTrainerTest.sparseData(4000, 32, 48, 7);
    var trainer = new TopKSaeTrainer(new TopKSaeTrainer.Options(128, 6, 700, 256, 3e-3, 32, 1));
    var w = trainer.train(x, step -> {});
    var report = TopKSaeTrainer.evaluate(w, x);
    assertTrue(report.fvu() < 0.1, "FVU " + report.fvu());
    assertTrue(report.meanL0() <= 6.0 + 1e-9, "L0 " + report.meanL0());
    assertTrue(report.deadFraction() < 0.5, "dead " + report.deadFraction());
    // Decoder rows stay unit norm.
    INDArray norms = w.wDec().norm2(1);
    assertEquals(1.0, norms.minNumber().doubleValue(), 1e-3);
    assertEquals(1.0, norms.maxNumber().doubleValue(), 1e-3);
  }

}
