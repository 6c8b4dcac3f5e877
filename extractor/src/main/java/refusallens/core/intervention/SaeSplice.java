package refusallens.core.intervention;

import java.util.function.BiConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import refusallens.core.model.EagerHook;
import refusallens.core.model.ops.FloatTensor;
import refusallens.core.model.Hook;
import refusallens.core.sae.Sae;

/**
 * An SAE spliced into the residual stream at its hook: resid -> decode(encode(resid)), plus the error term
 * (resid - recon) when kept, so that a splice without an edit changes nothing; without it the model runs on
 * the reconstruction (to measure the SAE's cost in cross-entropy).
 */
public final class SaeSplice {
  /** Whether the SAE's reconstruction error is added back. */
  public enum ErrorTerm {
    KEEP,
    DROP
  }

  private SaeSplice() {}

  /**
   * The splice hook for activations [B, S, d] at {@code sae.hook()}; {@code sink}, if not null, receives the
   * activations [B, S, d_sae] and reconstruction [B, S, d] of every chunk (left-padding slots included).
   */
  public static Hook<INDArray> hook(Sae sae, ErrorTerm errorTerm, BiConsumer<INDArray, INDArray> sink) {
    Hook<INDArray> nd4j = (x, name, ctx) -> {
      long b = x.size(0);
      long s = x.size(1);
      INDArray flat = x.castTo(DataType.FLOAT).reshape('c', b * s, x.size(2)); // [B*S, d]
      INDArray acts = sae.encode(flat); // [B*S, m]
      INDArray recon = sae.decode(acts); // [B*S, d]
      if (sink != null) {
        sink.accept(acts.reshape('c', b, s, sae.dSae()), recon.reshape('c', b, s, sae.dIn()));
      }
      INDArray out = errorTerm == ErrorTerm.KEEP ? recon.add(flat.sub(recon)) : recon;
      return out.reshape('c', b, s, x.size(2));
    };
    Hook<FloatTensor> plainJava = (x, name, ctx) -> {
      int b = x.size(0);
      int s = x.size(1);
      int d = x.size(2);
      FloatTensor acts = sae.encode(new FloatTensor(x.data(), b * s, d)); // [B*S, m]
      FloatTensor recon = sae.decode(acts); // [B*S, d]
      if (sink != null) { // the sink's consumers take ND4J arrays: only what they receive is copied
        sink.accept(
            acts.toNd4j().reshape('c', b, s, sae.dSae()), recon.toNd4j().reshape('c', b, s, sae.dIn()));
      }
      float[] out = recon.data().clone();
      if (errorTerm == ErrorTerm.KEEP) { // recon + (x - recon), in the same float steps as the ND4J hook
        float[] in = x.data();
        for (int i = 0; i < out.length; i++) {
          out[i] = out[i] + (in[i] - out[i]);
        }
      }
      return new FloatTensor(out, b, s, d);
    };
    return new EagerHook(nd4j, plainJava);
  }
}
