package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The TopK SAE trainer: seeded, its mask; its training quality is {@link TopKSaeTrainerIT}. */
class TopKSaeTrainerTest {

  /** Data made of 3 active directions out of 48 per row: a TopK SAE must recover it well. */
  static INDArray sparseData(int n, int d, int nDirections, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray dirs = Nd4j.randn(DataType.FLOAT, nDirections, d);
    dirs.diviColumnVector(dirs.norm2(1).reshape(-1, 1));
    Random rng = new Random(seed);
    INDArray codes = Nd4j.zeros(DataType.FLOAT, n, nDirections);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        codes.putScalar(i, rng.nextInt(nDirections), 1 + 2 * rng.nextDouble());
      }
    }
    return codes.mmul(dirs).addi(Nd4j.randn(DataType.FLOAT, n, d).muli(0.01)).addi(0.5);
  }

  @Test
  void sameSeedSameWeights() {
    INDArray x = sparseData(500, 16, 24, 3);
    var opts = new TopKSaeTrainer.Options(32, 4, 50, 64, 1e-3, 0, 42);
    var a = new TopKSaeTrainer(opts).train(x, s -> {});
    var b = new TopKSaeTrainer(opts).train(x, s -> {});
    assertEquals(a.wEnc(), b.wEnc());
    assertEquals(a.bDec(), b.bDec());
  }

  @Test
  void topKMaskKeepsKPositiveEntriesPerRow() {
    INDArray pre = Nd4j.create(new float[] {3, -1, 2, 5, 0, -2, -3, 1}, new long[] {2, 4});
    INDArray mask = TopKSaeTrainer.topKMask(pre, 2);
    assertEquals(Nd4j.create(new float[] {1, 0, 0, 1, 0, 0, 0, 1}, new long[] {2, 4}), mask);
  }
}
