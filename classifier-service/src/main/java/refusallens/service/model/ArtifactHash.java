package refusallens.service.model;

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

/** SHA-256 of a served artifact: of a file's bytes, or of every file under a directory (names and bytes). */
final class ArtifactHash {
  private ArtifactHash() {}

  static String of(Path path) {
    MessageDigest md = sha256();
    try {
      if (Files.isDirectory(path)) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
          files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
          md.update(path.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
          digest(md, f);
        }
      } else {
        digest(md, path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("hashing " + path, e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void digest(MessageDigest md, Path f) throws IOException {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(f)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
