package refusallens.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's tested blocks: the fenced block after a line {@code <!-- tested:NAME -->}, read as the shell
 * would read it (continuation lines, single and double quotes, a quoted string running over lines, {@code #}
 * comments), one {@link Command} per command with the whole-line {@code #} comments that follow it. Shell syntax beyond plain words (pipes, redirections, variables,
 * {@code &&}) is an error: a block a test runs word by word must stay copy-paste simple.
 */
public final class ReadmeBlocks {
  private ReadmeBlocks() {}

  /** One command of a block: its words (quotes removed) and the comment lines below it (without '#'). */
  public record Command(List<String> words, List<String> comments) {
    /** The command as a line (for messages). */
    public String line() {
      return String.join(" ", words);
    }
  }

  /** The checkout's README.md: from {@code refusallens.repo} (set by the build), else above the working directory. */
  public static Path readme() {
    String repo = System.getProperty("refusallens.repo");
    if (repo != null && Files.isRegularFile(Path.of(repo, "README.md"))) {
      return Path.of(repo, "README.md");
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("README.md")) && Files.isRegularFile(d.resolve("refusal-lens"))) {
        return d.resolve("README.md");
      }
    }
    throw new IllegalStateException("README.md of the checkout not found (set -Drefusallens.repo)");
  }

  /** The commands of block {@code name} of the checkout's README. */
  public static List<Command> block(String name) {
    try {
      return block(Files.readString(readme()), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The commands of block {@code name} in {@code markdown}; an error when the marker or its fence is missing. */
  public static List<Command> block(String markdown, String name) {
    String marker = "<!-- tested:" + name + " -->";
    String[] lines = markdown.split("\n", -1);
    int i = 0;
    while (i < lines.length && !lines[i].trim().equals(marker)) i++;
    if (i == lines.length) {
      throw new IllegalArgumentException("README has no block marked " + marker);
    }
    i++;
    while (i < lines.length && lines[i].isBlank()) i++;
    if (i == lines.length || !lines[i].trim().startsWith("```")) {
      throw new IllegalArgumentException(marker + " is not followed by a fenced block");
    }
    List<Command> out = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (i++; i < lines.length && !lines[i].trim().startsWith("```"); i++) {
      String line = lines[i];
      if (pending.length() == 0 && line.trim().startsWith("#")) {
        if (out.isEmpty()) {
          throw new IllegalArgumentException(marker + ": a comment before the first command: " + line);
        }
        out.get(out.size() - 1).comments().add(line.trim().substring(1).trim());
        continue;
      }
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      pending.append(line);
      if (openQuote(pending)) { // a quoted string (a JSON body) runs on over the next line
        pending.append('\n');
        continue;
      }
      if (!pending.toString().isBlank()) {
        out.add(new Command(words(pending.toString()), new ArrayList<>()));
      }
      pending.setLength(0);
    }
    if (i == lines.length) {
      throw new IllegalArgumentException(marker + ": the fenced block is not closed");
    }
    return out;
  }

  /** Whether {@code text} ends inside a single- or double-quoted string. */
  private static boolean openQuote(CharSequence text) {
    char open = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (open == 0 && (c == '\'' || c == '"')) {
        open = c;
      } else if (c == open) {
        open = 0;
      }
    }
    return open != 0;
  }

  /** The words of one command line, as a POSIX shell splits them (quotes removed, no expansions). */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        if (w != null) out.add(w.toString());
        w = null;
        continue;
      }
      if (w == null && c == '#') {
        break; // a comment to the end of the line
      }
      if (w == null) w = new StringBuilder();
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) throw new IllegalArgumentException("unclosed ' in: " + line);
        w.append(line, i + 1, end);
        i = end;
      } else if (c == '"') {
        int end = line.indexOf('"', i + 1);
        if (end < 0) throw new IllegalArgumentException("unclosed \" in: " + line);
        String inside = line.substring(i + 1, end);
        if (inside.contains("$") || inside.contains("`") || inside.contains("\\")) {
          throw new IllegalArgumentException("expansions inside \"...\" are not supported: " + line);
        }
        w.append(inside);
        i = end;
      } else if ("|&;<>$`\\(){}*?#".indexOf(c) >= 0) {
        throw new IllegalArgumentException("shell syntax '" + c + "' outside quotes is not supported: " + line);
      } else {
        w.append(c);
      }
    }
    if (w != null) out.add(w.toString());
    return out;
  }
}
