package refusallens.core.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/** NumPy {@code .npz} archives (a zip of {@code .npy}, as {@code np.savez} writes), read as float32 arrays. */
public final class Npz {
  private Npz() {}

  /** The array names in the archive (entry names without {@code .npy}), in archive order. */
  public static Set<String> names(Path path) {
    try (ZipFile zip = openZip(path)) {
      Set<String> names = new LinkedHashSet<>();
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        names.add(arrayName(en.nextElement()));
      }
      return Collections.unmodifiableSet(names);
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read .npz: " + e, e);
    }
  }

  /** The header (type, shape, order) of every array, read without the data. */
  public static Map<String, Npy.Header> headers(Path path) {
    try (ZipFile zip = openZip(path)) {
      Map<String, Npy.Header> out = new LinkedHashMap<>();
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        try (InputStream in = new BufferedInputStream(zip.getInputStream(e))) {
          out.put(arrayName(e), Npy.readHeader(in, path, "entry '" + e.getName() + "': "));
        }
      }
      return Collections.unmodifiableMap(out);
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read .npz: " + e, e);
    }
  }

  /** Every array of the archive as float32, by name. */
  public static Map<String, INDArray> readFloat(Path path) {
    try (ZipFile zip = openZip(path)) {
      Map<String, INDArray> out = new LinkedHashMap<>();
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        out.put(arrayName(e), read(zip, e, path));
      }
      return Collections.unmodifiableMap(out);
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read .npz: " + e, e);
    }
  }

  /** Array {@code name} of the archive as float32; a {@link TensorFileException} if it is missing. */
  public static INDArray readFloat(Path path, String name) {
    try (ZipFile zip = openZip(path)) {
      ZipEntry e = zip.getEntry(name + ".npy");
      if (e == null) {
        e = zip.getEntry(name);
      }
      if (e == null) {
        throw new TensorFileException(path, "array '" + name + "' missing (has " + namesOf(zip) + ")");
      }
      return read(zip, e, path);
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot read .npz: " + e, e);
    }
  }

  private static Set<String> namesOf(ZipFile zip) {
    Set<String> names = new LinkedHashSet<>();
    zip.stream().forEach(e -> names.add(arrayName(e)));
    return names;
  }

  private static ZipFile openZip(Path path) {
    try {
      return new ZipFile(path.toFile());
    } catch (ZipException e) {
      throw new TensorFileException(path, "not a valid .npz (zip) archive: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new TensorFileException(path, "cannot open .npz: " + e, e);
    }
  }

  private static INDArray read(ZipFile zip, ZipEntry e, Path path) throws IOException {
    try (InputStream in = new BufferedInputStream(zip.getInputStream(e))) {
      return Npy.readFloat(in, path, "entry '" + e.getName() + "': ");
    } catch (ZipException ex) {
      throw new TensorFileException(path, "entry '" + e.getName() + "' is corrupt: " + ex.getMessage(), ex);
    }
  }

  private static String arrayName(ZipEntry e) {
    String n = e.getName();
    return n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n;
  }
}
