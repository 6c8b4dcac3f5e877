package refusallens.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Use from Java" program compiles against the library and runs on the embedded organism. */
class LensReadmeTest {
  static final String SECTION = "## Use from Java";

  /** The first {@code java} fenced block of the README's "Use from Java" section. */
  static String snippet(String readme) {
    int section = readme.indexOf("\n" + SECTION + "\n");
    assertTrue(section >= 0, "README.md has a '" + SECTION + "' section");
    int next = readme.indexOf("\n## ", section + 1);
    String body = readme.substring(section, next < 0 ? readme.length() : next);
    int start = body.indexOf("```java\n");
    assertTrue(start >= 0, "the section has a ```java block");
    int end = body.indexOf("\n```", start + 8);
    return body.substring(start + 8, end + 1);
  }

  @Test
  void theReadmeSnippetCompilesAndRuns(@TempDir Path tmp) throws Exception {
    Path readme = Path.of(System.getProperty("refusallens.repo", "..")).resolve("README.md");
    String code = snippet(Files.readString(readme));
    assertTrue(code.contains("public class UseFromJava"), "the snippet is the UseFromJava program");
    Path src = tmp.resolve("UseFromJava.java");
    Files.writeString(src, code);
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok = javac.getTask(errors, null, null,
        List.of("-classpath", classpath, "-d", tmp.toString(), "-proc:none"), null,
        javac.getStandardFileManager(null, null, null).getJavaFileObjects(src.toFile())).call();
    assertTrue(ok, "the README snippet compiles:\n" + errors);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("UseFromJava").getMethod("main", String[].class);
      assertEquals(void.class, main.getReturnType());
      main.invoke(null, (Object) new String[0]); // throws (and fails the test) if the program does
    }
  }

  @Test
  void theSnippetIsFoundInItsSection() {
    String readme = "# x\n\n## Other\n```java\nno\n```\n\n" + SECTION + "\n\ntext\n```java\nclass A {}\n```\n\n## Next\n";
    assertEquals("class A {}\n", snippet(readme));
    assertTrue(File.pathSeparator.length() == 1);
  }
}
