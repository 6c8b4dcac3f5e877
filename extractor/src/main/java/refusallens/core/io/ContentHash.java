package refusallens.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import refusallens.core.output.OutputDir;

/** SHA-256 of inputs for provenance: of text, of files (names and bytes), of every file under a directory. */
public final class ContentHash {
  private ContentHash() {}

  public static String ofText(String s) {
    MessageDigest md = digest();
    md.update(s.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(md.digest());
  }

  /** Hash of bytes (e.g. a manifest read from the classpath). */
  public static String ofBytes(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  /** Hash of one file's bytes alone (as {@code sha256sum} prints it). */
  public static String ofFile(Path f) {
    MessageDigest md = digest();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(f)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(f + ": cannot read for hashing: " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Hash of the files' names and bytes, in the given order. */
  public static String ofFiles(List<Path> files) {
    MessageDigest md = digest();
    byte[] buf = new byte[1 << 16];
    for (Path f : files) {
      md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      try (InputStream in = Files.newInputStream(f)) {
        int r;
        while ((r = in.read(buf)) > 0) {
          md.update(buf, 0, r);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(f + ": cannot read for hashing: " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * Hash of every regular file under {@code dir} (sorted by relative path), ownership records left out: they
   * are bookkeeping of the directory, not its content.
   */
  public static String ofDirectory(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return ofFiles(walk.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith(OutputDir.RECORD)).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot list for hashing: " + e.getMessage(), e);
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
