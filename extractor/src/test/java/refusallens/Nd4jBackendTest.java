package refusallens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jBackendTest {
  @Test
  void cpuBackendLoadsAndMultiplies() {
    var a = Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2});
    var b = Nd4j.create(new float[] {5, 6, 7, 8}, new long[] {2, 2});
    assertArrayEquals(new float[] {19, 22, 43, 50}, a.mmul(b).castTo(DataType.FLOAT).data().asFloat(), 0f);
  }
}
