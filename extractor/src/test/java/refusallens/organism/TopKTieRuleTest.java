package refusallens.organism;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.sae.Sae;
import refusallens.core.sae.TopKSae;

/**
 * Training and inference select the same TopK features, ties included: an SAE the trainer's weights make,
 * written and loaded back as the organism ships it, encodes like the trainer on both backends.
 */
class TopKTieRuleTest {
  @TempDir Path tmp;

  @Test
  void trainerAndLoadedSaePickTheSameFeaturesOnTies() {
    int d = 5;
    // identity encoder and decoder: the pre-activations are the inputs, the activations show the selection
    TopKSaeTrainer.Weights w = new TopKSaeTrainer.Weights(Nd4j.eye(d).castTo(DataType.FLOAT),
        Nd4j.zeros(DataType.FLOAT, d), Nd4j.eye(d).castTo(DataType.FLOAT), Nd4j.zeros(DataType.FLOAT, d), 2);
    INDArray x = Nd4j.create(new float[][] {
        {1, 1, 2, 0, 0}, // the 2 and the first 1
        {3, 3, 3, 3, 3}, // all tie: the two lowest indices
        {0, 2, 1, 2, 2}, // the two lowest of the three 2s
        {-1, 0, 0, 0, -2}, // nothing positive: nothing fires
    });
    float[][] want = {
        {1, 0, 2, 0, 0},
        {3, 3, 0, 0, 0},
        {0, 2, 0, 2, 0},
        {0, 0, 0, 0, 0},
    };
    OrganismSaes.write(tmp, w, 0, "tie-test");
    Sae loaded = Sae.load(tmp);
    assertInstanceOf(TopKSae.class, loaded);
    float[][] trainer = TopKSaeTrainer.encode(w, x).toFloatMatrix();
    float[][] nd4j = loaded.encode(x).toFloatMatrix();
    float[][] plain = loaded.encode(FloatTensor.of(x)).toNd4j().toFloatMatrix();
    for (int r = 0; r < want.length; r++) {
      assertArrayEquals(want[r], trainer[r], 0f, "trainer row " + r); // 0 and -0 alike
      assertArrayEquals(want[r], nd4j[r], 0f, "inference (ND4J) row " + r);
      assertArrayEquals(want[r], plain[r], 0f, "inference (plain Java) row " + r);
    }
  }
}
