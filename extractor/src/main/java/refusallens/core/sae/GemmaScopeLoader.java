package refusallens.core.sae;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.io.Npy;
import refusallens.core.io.Npz;
import refusallens.core.model.HookName;

/**
 * GemmaScope layout: {@code params.npz} with W_enc [d, m], W_dec [m, d], b_enc [m], b_dec [d], threshold
 * [m]; JumpReLU at {@code blocks.L.hook_resid_post}, no b_dec subtraction. The file has no hook: the layer
 * comes from a {@code layer_N} path component (as in the GemmaScope repository) or is given explicitly.
 */
public final class GemmaScopeLoader implements SaeLoader {
  public static final String PARAMS = "params.npz";
  private static final Pattern LAYER_DIR = Pattern.compile("layer_(\\d+)");

  @Override
  public SaeConfig readConfig(Path dir, OptionalInt layer) {
    Path file = dir.resolve(PARAMS);
    Map<String, Npy.Header> h = Npz.headers(file);
    for (String name : new String[] {"W_enc", "W_dec", "b_enc", "b_dec", "threshold"}) {
      if (!h.containsKey(name)) {
        throw new SaeException(file + ": array '" + name + "' missing (has " + h.keySet() + ")");
      }
    }
    long[] enc = h.get("W_enc").shape();
    if (enc.length != 2) {
      throw new SaeException(file + ": W_enc must be [d_in, d_sae], got " + Arrays.toString(enc));
    }
    int dIn = Math.toIntExact(enc[0]);
    int dSae = Math.toIntExact(enc[1]);
    expect(file, h, "W_dec", dSae, dIn);
    expect(file, h, "b_enc", dSae);
    expect(file, h, "b_dec", dIn);
    expect(file, h, "threshold", dSae);
    OptionalInt fromPath = layerFromPath(dir);
    int l;
    if (layer.isPresent()) {
      l = layer.getAsInt();
      if (fromPath.isPresent() && fromPath.getAsInt() != l) {
        throw new SaeException(dir + ": path says layer " + fromPath.getAsInt() + ", but layer " + l + " was asked for");
      }
    } else {
      l =
          fromPath.orElseThrow(
              () ->
                  new SaeException(
                      dir + ": a GemmaScope params.npz has no hook; put it under a layer_N directory or give the layer (LAYER=DIR)"));
    }
    return new SaeConfig(
        dir, SaeLayout.GEMMA_SCOPE, SaeArchitecture.JUMPRELU, HookName.residPost(l), dIn, dSae, false,
        OptionalInt.empty(), 1.0);
  }

  /** The layer of the deepest {@code layer_N} component of {@code dir}, if any. */
  static OptionalInt layerFromPath(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    for (int i = abs.getNameCount() - 1; i >= 0; i--) {
      Matcher m = LAYER_DIR.matcher(abs.getName(i).toString());
      if (m.matches()) {
        return OptionalInt.of(Integer.parseInt(m.group(1)));
      }
    }
    return OptionalInt.empty();
  }

  private static void expect(Path file, Map<String, Npy.Header> h, String name, long... shape) {
    if (!Arrays.equals(h.get(name).shape(), shape)) {
      throw new SaeException(
          file + ": " + name + " has shape " + Arrays.toString(h.get(name).shape()) + ", expected " + Arrays.toString(shape));
    }
  }

  @Override
  public Sae load(SaeConfig c) {
    Map<String, INDArray> p = Npz.readFloat(c.source().resolve(PARAMS));
    return Sae.of(c, p.get("W_enc"), p.get("b_enc"), p.get("W_dec"), p.get("b_dec"), p.get("threshold"));
  }
}
