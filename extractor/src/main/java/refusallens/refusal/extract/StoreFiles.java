package refusallens.refusal.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import refusallens.files.AtomicFiles;
import refusallens.files.Json;

/** File names and atomic manifest I/O of an activation store directory. */
final class StoreFiles {
  static final String MANIFEST = "manifest.json";
  static final ObjectMapper JSON = Json.MAPPER;

  private StoreFiles() {}

  /** {@code shard-00000.safetensors}, ... */
  static String shardName(int i) {
    return String.format("shard-%05d.safetensors", i);
  }

  static boolean isShardName(String s) {
    return s.matches("shard-\\d{5}\\.safetensors");
  }

  static StoreManifest readManifest(Path dir) {
    Path f = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException("activation store " + dir + ": no " + MANIFEST + " (not an extract directory?)");
    }
    try {
      return JSON.readValue(f.toFile(), StoreManifest.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("activation store manifest " + f + ": " + e.getMessage(), e);
    }
  }

  /** Writes the manifest to a temp file beside it, then renames it into place. */
  static void writeManifest(Path dir, StoreManifest m) {
    Path target = dir.resolve(MANIFEST);
    AtomicFiles.writeWith(target, tmp -> JSON.writeValue(tmp.toFile(), m));
  }

}
