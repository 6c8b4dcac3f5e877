package refusallens.probes;

import java.util.Map;
import java.util.TreeMap;
import refusallens.refusal.extract.Identity;
import refusallens.probes.train.DataSplit;

/**
 * Where a probe or report came from: the activation store (directory and manifest hash), the dataset it
 * was extracted from, the split fractions and seed, and software versions.
 */
public record ProbeProvenance(
    String store,
    String storeManifestHash,
    Identity dataset,
    DataSplit.Fractions split,
    long seed,
    Map<String, String> versions) {
  public ProbeProvenance {
    versions = versions == null ? Map.of() : new TreeMap<>(versions);
  }

  /** refusal-lens, Smile, Deeplearning4j and Java versions of this run. */
  public static Map<String, String> currentVersions() {
    Map<String, String> v = new TreeMap<>();
    String self = ProbeProvenance.class.getPackage().getImplementationVersion();
    v.put("refusal-lens", self == null ? "dev" : self);
    v.put("smile", "3.1.1");
    v.put("deeplearning4j", "1.0.0-M2.1");
    v.put("java", System.getProperty("java.version"));
    return v;
  }
}
