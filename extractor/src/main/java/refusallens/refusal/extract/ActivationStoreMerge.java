package refusallens.refusal.extract;

import refusallens.core.io.ContentHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Joins activation stores (typically the {@code --shard i/n} slices of one extraction) into one store:
 * rows in input order (slices sorted by index), shards copied and renumbered, manifest written last.
 */
public final class ActivationStoreMerge {
  private ActivationStoreMerge() {}

  /**
   * Merges {@code inputs} into the new directory {@code out}. Every input must hold the same model, SAE,
   * dataset, tensors and seed; if they are slices, they must be exactly slices 0..n-1 of one n.
   */
  public static ActivationStore merge(List<Path> inputs, Path out) {
    if (inputs.isEmpty()) throw new IllegalArgumentException("extract merge: no input stores");
    List<ActivationStore> stores = new ArrayList<>();
    for (Path p : inputs) stores.add(ActivationStore.open(p));
    boolean sliced = stores.get(0).header().slice() != null;
    if (sliced) {
      stores.sort((a, b) -> Integer.compare(a.header().slice().index(), b.header().slice().index()));
      int n = stores.get(0).header().slice().count();
      if (stores.size() != n) {
        throw new IllegalArgumentException(
            "extract merge: slices of " + n + " need " + n + " stores, got " + stores.size());
      }
      for (int i = 0; i < n; i++) {
        ShardSlice s = stores.get(i).header().slice();
        if (s == null || s.count() != n || s.index() != i) {
          throw new IllegalArgumentException(
              "extract merge: expected slice " + i + "/" + n + ", " + stores.get(i).dir() + " is "
                  + (s == null ? "not a slice" : s));
        }
      }
    }
    StoreHeader first = stores.get(0).header().withSlice(null);
    for (ActivationStore s : stores) {
      if (!s.header().withSlice(null).sameContentAs(first)) {
        throw new IllegalArgumentException(
            "extract merge: " + s.dir() + " differs from " + stores.get(0).dir()
                + " in model, SAE, dataset, tensors or seed");
      }
    }
    if (Files.exists(out.resolve(StoreFiles.MANIFEST))) {
      throw new IllegalArgumentException("extract merge: " + out + " already holds a store");
    }
    List<StoreManifest.StoreShard> shards = new ArrayList<>();
    List<StoreRow> rows = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    try {
      Files.createDirectories(out);
      for (ActivationStore s : stores) {
        for (StoreRow r : s.rows()) {
          if (!ids.add(r.id())) {
            throw new IllegalArgumentException("extract merge: prompt id '" + r.id() + "' occurs twice");
          }
        }
        for (StoreManifest.StoreShard sh : s.manifest().shards()) {
          String name = StoreFiles.shardName(shards.size());
          Path tmp = out.resolve("." + name + ".tmp");
          Files.copy(s.dir().resolve(sh.file()), tmp, StandardCopyOption.REPLACE_EXISTING);
          String sha = ContentHash.ofFile(tmp);
          if (sh.sha256() != null && !sh.sha256().equals(sha)) {
            Files.deleteIfExists(tmp);
            throw new IllegalArgumentException("extract merge: " + s.dir().resolve(sh.file())
                + " does not match the SHA-256 its manifest recorded (corrupt shard): re-run that slice");
          }
          Files.move(tmp, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
          shards.add(new StoreManifest.StoreShard(name, sh.rows(), sha));
        }
        rows.addAll(s.rows());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("extract merge into " + out, e);
    }
    StoreFiles.writeManifest(
        out, new StoreManifest(StoreManifest.SCHEMA_VERSION, StoreManifest.KIND, first, shards, rows));
    return ActivationStore.open(out);
  }
}
