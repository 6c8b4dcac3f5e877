package refusallens.dev;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.Npy;
import refusallens.core.io.Npz;
import refusallens.core.io.SharedFixtures;

/**
 * {@link NpzWriter} against an archive numpy wrote (the fixtures' GemmaScope {@code params.npz}): every C-order
 * entry comes out byte for byte as numpy's ({@code np.savez}: stored entries, 1.0 headers), and every array reads
 * back equal.
 */
class NpzWriterTest {
  @TempDir Path tmp;

  @Test
  void writesTheBytesNumpyWrites() throws Exception {
    for (String arch : SharedFixtures.ARCHS) {
      Path numpy = SharedFixtures.arch(arch).resolve("sae/params.npz");
      Map<String, INDArray> arrays = Npz.readFloat(numpy);
      NpzWriter w = new NpzWriter();
      arrays.forEach(w::putF32);
      Path ours = tmp.resolve(arch + ".npz");
      w.write(ours);
      Map<String, INDArray> back = Npz.readFloat(ours);
      assertEquals(arrays.keySet(), back.keySet());
      arrays.forEach((k, v) -> assertEquals(v, back.get(k), arch + " " + k));
      Map<String, Npy.Header> headers = Npz.headers(numpy);
      try (ZipFile theirs = new ZipFile(numpy.toFile()); ZipFile mine = new ZipFile(ours.toFile())) {
        for (String name : arrays.keySet()) {
          ZipEntry m = mine.getEntry(name + ".npy");
          assertEquals(ZipEntry.STORED, m.getMethod(), "np.savez stores entries uncompressed");
          if (headers.get(name).fortranOrder()) {
            continue; // numpy kept a transposed view's order; we always write C order
          }
          assertArrayEquals(theirs.getInputStream(theirs.getEntry(name + ".npy")).readAllBytes(),
              mine.getInputStream(m).readAllBytes(), arch + " " + name + ".npy byte for byte");
        }
      }
    }
  }
}
