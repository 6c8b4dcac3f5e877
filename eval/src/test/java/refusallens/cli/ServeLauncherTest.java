package refusallens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./refusal-lens serve} launcher becomes the service (exec): kill -9 on the launcher's pid stops
 * the service instead of orphaning it (issue 19). A stand-in {@code java} on PATH plays the CLI: it writes the
 * "service" command (a shell that records its pid and sleeps) to the launch file, as {@code serve --launch-file}
 * does; before the fix the launcher ran the CLI, which ran the service as its child.
 */
class ServeLauncherTest {
  @TempDir Path tmp;

  @Test
  void killMinusNineOnTheLauncherStopsTheService() throws Exception {
    Path root = checkoutWithFakeJava();
    Path pidFile = tmp.resolve("service.pid");
    Process launcher = launcher(root, pidFile, "serve", "--port", "9");
    long service = -1;
    try {
      service = awaitPid(pidFile);
      assertEquals(launcher.pid(), service, "the service is the launcher's own process (exec), not its child");
      assertEquals(root.toRealPath().toString(), Files.readString(Path.of(pidFile + ".cwd")).trim(),
          "the service runs in the checkout root");
      launcher.destroyForcibly();
      assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
      long pid = service;
      assertTrue(waitDead(pid), "service still alive after kill -9 on the launcher");
    } finally {
      launcher.destroyForcibly();
      if (service > 0) {
        ProcessHandle.of(service).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void cliErrorsAndHelpExitWithoutStartingAService() throws Exception {
    Path root = checkoutWithFakeJava();
    Path pidFile = tmp.resolve("service.pid");
    Process failing = launcher(root, pidFile, "serve", "--fail");
    assertTrue(failing.waitFor(10, TimeUnit.SECONDS));
    assertEquals(3, failing.exitValue(), "the CLI's exit code is the launcher's");
    Process help = launcher(root, pidFile, "serve", "--help");
    assertTrue(help.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue());
    assertFalse(Files.exists(pidFile), "no service started");
  }

  @Test
  void theLauncherPassesRefusalLensJavaOptsToTheJvm() throws Exception {
    Path root = checkoutWithFakeJava();
    Path args = tmp.resolve("java-args.txt");
    for (String opts : new String[] {null, "-Xmx3g -Dx=1"}) {
      ProcessBuilder pb = launcherBuilder(root, tmp.resolve("unused.pid"), "inspect", "DIR");
      pb.environment().put("ARGS_FILE", args.toString());
      pb.environment().remove("REFUSAL_LENS_JAVA_OPTS");
      if (opts != null) {
        pb.environment().put("REFUSAL_LENS_JAVA_OPTS", opts);
      }
      Process p = pb.start();
      try {
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
      } finally {
        p.destroyForcibly();
      }
      List<String> got = Files.readAllLines(args);
      List<String> jvm = opts == null ? List.of("-Xmx16g") : List.of(opts.split(" "));
      List<String> expected = new java.util.ArrayList<>(jvm);
      expected.addAll(List.of("-jar", root.resolve("eval/target/refusal-lens.jar").toString(), "inspect", "DIR"));
      assertEquals(expected, got);
    }
  }

  private Path checkoutWithFakeJava() throws IOException {
    Path root = tmp.resolve("checkout");
    Path script = Path.of("..", "refusal-lens").toAbsolutePath().normalize();
    if (!Files.isRegularFile(script)) {
      script = Path.of("refusal-lens").toAbsolutePath();
    }
    Files.createDirectories(root.resolve("eval/target"));
    Files.copy(script, root.resolve("refusal-lens"));
    Files.createFile(root.resolve("eval/target/refusal-lens.jar")); // no sources here: the launcher does not build
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path java = bin.resolve("java");
    // With --launch-file: write the service command there (the fixed launcher execs it). Without (the old
    // launcher): run the service as a child and wait, as the CLI's serve did.
    Files.writeString(java, String.join("\n",
        "#!/usr/bin/env bash",
        "[ -n \"$ARGS_FILE\" ] && { printf '%s\\n' \"$@\" > \"$ARGS_FILE\"; exit 0; }",
        "f=''; prev=''",
        "for a in \"$@\"; do",
        "  [ \"$prev\" = --launch-file ] && f=\"$a\"",
        "  [ \"$a\" = --fail ] && exit 3",
        "  [ \"$a\" = --help ] && { echo usage; exit 0; }",
        "  prev=\"$a\"",
        "done",
        "svc='echo $$ > \"$0.tmp\"; pwd > \"$0.cwd\"; mv \"$0.tmp\" \"$0\"; exec sleep 300'",
        "if [ -n \"$f\" ]; then printf '%s\\0' \"$CHECKOUT\" bash -c \"$svc\" \"$PID_FILE\" > \"$f\"; exit 0; fi",
        "cd \"$CHECKOUT\"; bash -c \"$svc\" \"$PID_FILE\" & wait",
        ""), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return root;
  }

  private Process launcher(Path root, Path pidFile, String... args) throws IOException {
    return launcherBuilder(root, pidFile, args).start();
  }

  private ProcessBuilder launcherBuilder(Path root, Path pidFile, String... args) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("refusal-lens").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("launcher.log").toFile());
    pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().put("CHECKOUT", root.toRealPath().toString());
    pb.environment().put("PID_FILE", pidFile.toString());
    return pb;
  }

  private long awaitPid(Path pidFile) throws Exception {
    for (int i = 0; i < 200 && !Files.exists(pidFile); i++) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(pidFile), "the service never started: " + Files.readString(tmp.resolve("launcher.log")));
    return Long.parseLong(Files.readString(pidFile).trim());
  }

  private static boolean waitDead(long pid) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        Thread.sleep(50);
      } else {
        return true;
      }
    }
    return false;
  }
}
