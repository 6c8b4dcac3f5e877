package refusallens.cli;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code refusal-lens serve}: starts the classifier service, the packaged Quarkus app
 * (classifier-service/target/quarkus-app/quarkus-run.jar, built with mvn when missing or older than the
 * sources), passing the options on as Quarkus configuration keys. This module does not depend on the service:
 * it runs it as a child process.
 */
@Command(
    name = "serve",
    description = {
      "Start the classifier service (HTTP): /v1/classify, /v1/generate, /v1/evaluate/clamp, playground at /.",
      "Without --model/--sae/--features/--probe it serves the embedded organism and its shipped probe.",
      "Set REFUSALLENS_SERVICE_API_KEY to require 'Authorization: Bearer <key>' on /v1."
    })
public final class ServeCommand implements Callable<Integer> {

  static final String APP_JAR = "classifier-service/target/quarkus-app/quarkus-run.jar";

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Interface to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String host;

  @CommandLine.Mixin ModelDirOption modelOption;

  @Option(names = "--sae", converter = SaeDirConverter.class, description = "SAE directory (default: the organism's SAEs).")
  Path sae;

  @Option(names = "--features", description = "features.json (default: the organism's).")
  Path features;

  @Option(names = "--probe", description = "probe.json (default: the organism's shipped probe).")
  Path probe;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description = "Any other Quarkus/service configuration key, e.g. -Drefusallens.service.batching.max-batch=32.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(names = "--rebuild", description = "Rebuild the service app even when it looks up to date.")
  boolean rebuild;

  // the serial collector: the service's live heap is a few tens of MB, so one GC thread copies it quickly, while
  // the parallel collector's threads wait on each other whenever the inference and HTTP threads hold the cores
  // (young pauses of 15-48 ms; p99 42-61 vs 73-113 ms at 16 clients, docs/benchmarks.md); G1 was worse still
  @Option(
      names = "--java-opts",
      defaultValue = "-Xmx8g -XX:+UseSerialGC",
      description = "JVM options of the service (default ${DEFAULT-VALUE}).")
  String javaOpts;

  // The launcher script passes this and then execs the command written here: the service becomes the
  // launcher's own process, so kill -9 on it stops the service rather than orphaning a child JVM (a killed
  // parent cannot run a shutdown hook).
  @Option(names = "--launch-file", hidden = true, paramLabel = "FILE",
      description = "Write the service's working directory and command (NUL-separated) to FILE instead of running it.")
  Path launchFile;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
    }
    Map<String, String> config = new LinkedHashMap<>();
    config.put("quarkus.http.port", String.valueOf(port));
    config.put("quarkus.http.host", host);
    putPath(config, "refusallens.service.artifacts.model", "--model", modelOption.model, true);
    putPath(config, "refusallens.service.artifacts.sae", "--sae", sae, true);
    putPath(config, "refusallens.service.artifacts.features", "--features", features, false);
    putPath(config, "refusallens.service.artifacts.probe", "--probe", probe, false);
    config.putAll(properties);

    Path root = repoRoot();
    Path jar = root.resolve(APP_JAR);
    if (rebuild || isStale(root, jar)) {
      build(root);
    }
    List<String> cmd = command(jar, config);
    System.err.println("refusal-lens: starting the classifier service on http://" + host + ":" + port + "/");
    if (launchFile != null) {
      writeLaunchFile(launchFile, root, cmd);
      return 0;
    }
    // Run directly (java -jar, not the launcher): the child is stopped on SIGTERM/SIGINT by the hook; only
    // kill -9 of this JVM can orphan it, which the launcher's exec avoids.
    Process p = new ProcessBuilder(cmd).directory(root.toFile()).inheritIO().start();
    Thread stopChild = new Thread(p::destroy, "stop-classifier-service");
    Runtime.getRuntime().addShutdownHook(stopChild);
    int rc = p.waitFor();
    Runtime.getRuntime().removeShutdownHook(stopChild);
    return rc;
  }

  /** Writes {@code dir} then every word of {@code cmd}, each ending in NUL (the launcher reads them with read -d ''). */
  static void writeLaunchFile(Path file, Path dir, List<String> cmd) throws IOException {
    StringBuilder b = new StringBuilder().append(dir).append('\0');
    for (String word : cmd) {
      if (word.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("a service argument contains a NUL character: " + word.replace('\0', '?'));
      }
      b.append(word).append('\0');
    }
    Files.writeString(file, b, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The java command line that runs the app with {@code config} as system properties. */
  List<String> command(Path jar, Map<String, String> config) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String opt : javaOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        cmd.add(opt);
      }
    }
    config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-jar");
    cmd.add(jar.toString());
    return cmd;
  }

  private static void putPath(Map<String, String> config, String key, String flag, Path path, boolean dir) {
    if (path == null) {
      return;
    }
    if (dir ? !Files.isDirectory(path) : !Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          flag + " " + path + ": expected an existing " + (dir ? "directory" : "file"));
    }
    config.put(key, path.toAbsolutePath().normalize().toString());
  }

  /** The checkout root: where the service's pom is, found from this jar's location or the working dir. */
  static Path repoRoot() throws URISyntaxException {
    List<Path> starts = new ArrayList<>();
    File here = new File(ServeCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    starts.add(here.toPath().toAbsolutePath());
    starts.add(Path.of("").toAbsolutePath());
    for (Path start : starts) {
      for (Path p = start; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve("classifier-service/pom.xml"))) {
          return p;
        }
      }
    }
    throw new IllegalStateException(
        "cannot find the refusal-lens checkout (a directory holding classifier-service/pom.xml) above "
            + starts);
  }

  /** Missing, or older than any source or pom of the checkout. */
  static boolean isStale(Path root, Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) {
      return true;
    }
    FileTime built = Files.getLastModifiedTime(jar);
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> !p.toString().contains(File.separator + "target" + File.separator))
          .filter(p -> !p.toString().contains(File.separator + ".git" + File.separator))
          .filter(
              p -> {
                String s = p.toString();
                return s.endsWith(".java")
                    || s.endsWith("pom.xml")
                    || s.contains(File.separator + "src" + File.separator + "main" + File.separator + "resources");
              })
          .filter(Files::isRegularFile)
          .anyMatch(p -> {
            try {
              return Files.getLastModifiedTime(p).compareTo(built) > 0;
            } catch (IOException e) {
              return true;
            }
          });
    }
  }

  private static void build(Path root) throws IOException, InterruptedException {
    System.err.println("refusal-lens: building the classifier service (mvn package, tests skipped) ...");
    Process mvn =
        new ProcessBuilder(
                "mvn", "-q", "-B", "-ntp", "-DskipTests", "-pl", "classifier-service", "-am", "package")
            .directory(root.toFile())
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int rc = mvn.waitFor();
    if (rc != 0) {
      throw new IllegalStateException("building the classifier service failed (mvn exit " + rc + ")");
    }
  }
}
