package refusallens.core.hub;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * SAELens release names mapped to Hugging Face repos and SAE folders, from a curated excerpt of SAELens'
 * {@code pretrained_saes.yaml} ({@code saelens-releases.tsv}: the GemmaScope and LlamaScope residual releases the
 * README uses, not the whole file).
 */
public final class SaeLensReleases {
  private static final String RESOURCE = "saelens-releases.tsv";
  private static final String ANY = "*";

  /** One release: its repo and SAE id to path-in-repo table ({@code *} = the id is the path). */
  public record Release(String name, String repoId, Map<String, String> paths) {
    /** The folder in the repo holding SAE {@code id}, if the release has it. */
    public Optional<String> path(String id) {
      if (paths.containsKey(ANY)) {
        return Optional.of(id);
      }
      return Optional.ofNullable(paths.get(id));
    }
  }

  private static final Map<String, Release> RELEASES = load();

  private SaeLensReleases() {}

  /** The release called {@code name}, if curated here. */
  public static Optional<Release> find(String name) {
    return Optional.ofNullable(RELEASES.get(name));
  }

  /** Names of the curated releases, in table order. */
  public static java.util.Set<String> names() {
    return RELEASES.keySet();
  }

  private static Map<String, Release> load() {
    var in = SaeLensReleases.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException("missing resource refusallens/core/hub/" + RESOURCE);
    }
    Map<String, String> repos = new LinkedHashMap<>();
    Map<String, Map<String, String>> paths = new LinkedHashMap<>();
    try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      int lineNo = 0;
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        if (f.length != 4) {
          throw new IllegalStateException(RESOURCE + ":" + lineNo + ": expected 4 tab-separated fields");
        }
        repos.put(f[0], f[1]);
        paths.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[2], f[3]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Release> out = new LinkedHashMap<>();
    repos.forEach((name, repo) -> out.put(name, new Release(name, repo, Map.copyOf(paths.get(name)))));
    return Map.copyOf(out);
  }
}
