package refusallens.core.model.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import refusallens.core.model.weights.WeightStore;

/**
 * {@link EagerOps}' in-place composites give the default composition of {@link TensorOps} bit for bit: the
 * reference is the same composite on {@link TapeOps}, which keeps the defaults and computes each primitive with
 * EagerOps. The inputs are not modified.
 */
class EagerOpsTest {
  private final EagerOps eager = new EagerOps(WeightStore.of(Map.of()));
  private final TapeOps tape = new TapeOps(WeightStore.of(Map.of()));

  private static INDArray rand(double scale, long... shape) {
    Nd4j.getRandom().setSeed(11);
    return Nd4j.randn(DataType.FLOAT, shape).muli(scale);
  }

  private void same(String what, BiFunction<TensorOps<INDArray>, INDArray[], INDArray> fused,
      BiFunction<TensorOps<TapeOps.Var>, TapeOps.Var[], TapeOps.Var> composed, INDArray... in) {
    INDArray[] copies = new INDArray[in.length];
    TapeOps.Var[] vars = new TapeOps.Var[in.length];
    for (int i = 0; i < in.length; i++) {
      copies[i] = in[i].dup();
      vars[i] = tape.constant(in[i]);
    }
    INDArray want = tape.value(composed.apply(tape, vars));
    INDArray got = fused.apply(eager, in);
    assertArrayEquals(want.shape(), got.shape(), what + " shape");
    assertArrayEquals(want.dup('c').data().asFloat(), got.dup('c').data().asFloat(), 0f, what);
    for (int i = 0; i < in.length; i++) {
      assertEquals(copies[i], in[i], what + " left input " + i + " as it was");
    }
  }

  @Test
  void geluTanh() {
    same("geluTanh", (o, a) -> o.geluTanh(a[0]), (o, a) -> o.geluTanh(a[0]), rand(3, 6, 40));
  }

  @Test
  void softcap() {
    same("softcap", (o, a) -> o.softcap(a[0], 30.0), (o, a) -> o.softcap(a[0], 30.0), rand(50, 4, 100));
  }

  /** The attention composite (soft-capped scores inside) against the defaults. */
  @Test
  void attentionWithSoftcap() {
    int b = 2, kv = 1, g = 2, s = 3, t = 3, hd = 4;
    same("attention", (o, a) -> o.attention(a[0], a[1], a[2], a[3], b, kv, g, s, t, 0.5, OptionalDouble.of(50.0)),
        (o, a) -> o.attention(a[0], a[1], a[2], a[3], b, kv, g, s, t, 0.5, OptionalDouble.of(50.0)),
        rand(2, b, kv, g * s, hd), rand(2, b, kv, t, hd), rand(1, b, kv, t, hd), Nd4j.zeros(DataType.FLOAT, b, 1, 1, s, t));
  }
}
