package refusallens.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.SafetensorsFile;
import refusallens.core.io.SharedFixtures;

/** One conformance fixture (tiny checkpoint + reference outputs), loaded once per test JVM. */
final class Fixture {
  private static final Map<String, Fixture> CACHE = new ConcurrentHashMap<>();

  final String arch;
  final Transformer model;
  final JsonNode reference;
  private final SafetensorsFile tensors;

  private Fixture(String arch) {
    this.arch = arch;
    Path dir = SharedFixtures.arch(arch);
    this.model = Transformer.open(dir.resolve("model"));
    this.reference = SharedFixtures.json(dir.resolve("reference.json"));
    this.tensors = SafetensorsFile.open(dir.resolve("reference.safetensors"));
  }

  static Fixture of(String arch) {
    return CACHE.computeIfAbsent(arch, Fixture::new);
  }

  static Path modelDir(String arch) {
    return SharedFixtures.arch(arch).resolve("model");
  }

  static Path referenceFile(String arch) {
    return SharedFixtures.arch(arch).resolve("reference.safetensors");
  }

  int promptCount() {
    return reference.get("prompts").size();
  }

  int[] inputIds(int p) {
    return ids(tensors.get("p" + p + ".input_ids"));
  }

  INDArray ref(int p, String name) {
    return tensors.getFloat("p" + p + "." + name);
  }

  JsonNode prompt(int p) {
    return reference.get("prompts").get(p);
  }

  static int[] ids(INDArray a) {
    long[] l = a.castTo(DataType.LONG).data().asLong();
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      out[i] = Math.toIntExact(l[i]);
    }
    return out;
  }

  static int[] ids(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** ||a - b||_F / ||b||_F in double precision. */
  static double relFrobenius(INDArray actual, INDArray expected) {
    double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    double[] e = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    if (a.length != e.length) {
      throw new AssertionError("sizes differ: " + a.length + " vs " + e.length);
    }
    double num = 0;
    double den = 0;
    for (int i = 0; i < a.length; i++) {
      num += (a[i] - e[i]) * (a[i] - e[i]);
      den += e[i] * e[i];
    }
    return Math.sqrt(num / den);
  }
}
