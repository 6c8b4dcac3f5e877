package refusallens.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * Builds a self-contained HTML report: headings, paragraphs, tables and PNG charts embedded as base64
 * data URIs, so the file can be mailed or archived alone. Every text is escaped.
 */
public final class HtmlReport {
  private final StringBuilder body = new StringBuilder();
  private final String title;

  public HtmlReport(String title) {
    this.title = title;
    body.append("<h1>").append(escape(title)).append("</h1>\n");
  }

  /** Escapes the five HTML-special characters. */
  public static String escape(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * Text for the HTML with absolute paths made relative to the report folder {@code out}, so the report shows
   * no machine-specific (or temporary) folders and its links survive moving the folder.
   */
  public static String relativePaths(String text, Path out) {
    if (text == null) return "";
    Path base = out.toAbsolutePath().normalize();
    String shown = text;
    // longest prefixes first: the report folder itself, then each ancestor as ../..
    Path p = base;
    String up = ".";
    while (p != null && p.getParent() != null) {
      // a whole path prefix only: not inside a longer name (/var/tmp is not /tmp) and ending at a separator
      shown = java.util.regex.Pattern.compile("(?<![\\w./~-])" + java.util.regex.Pattern.quote(p.toString()) + "(?![\\w.~-])")
          .matcher(shown).replaceAll(java.util.regex.Matcher.quoteReplacement(up));
      p = p.getParent();
      up = ".".equals(up) ? ".." : up + "/..";
    }
    return shown;
  }

  /** A section heading. */
  public HtmlReport heading(String text) {
    body.append("<h2>").append(escape(text)).append("</h2>\n");
    return this;
  }

  /** A paragraph of plain text. */
  public HtmlReport paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** A highlighted statement (a finding stated plainly). */
  public HtmlReport finding(String text) {
    body.append("<p class=\"finding\">").append(escape(text)).append("</p>\n");
    return this;
  }

  /** A table with a header row; cells are plain text. */
  public HtmlReport table(List<String> header, List<List<String>> rows) {
    // the wrapper scrolls a wide table inside its own box instead of the whole page
    body.append("<div class=\"table-wrap\"><table>\n<tr>");
    for (String h : header) body.append("<th>").append(escape(h)).append("</th>");
    body.append("</tr>\n");
    for (List<String> r : rows) {
      body.append("<tr>");
      for (String c : r) body.append("<td>").append(escape(c)).append("</td>");
      body.append("</tr>\n");
    }
    body.append("</table></div>\n");
    return this;
  }

  /** Opens a card (a bordered section with an anchor id and a heading); close it with {@link #endCard}. */
  public HtmlReport card(String id, String heading) {
    body.append("<section class=\"card\" id=\"").append(escape(id)).append("\">\n<h3>").append(escape(heading))
        .append("</h3>\n");
    return this;
  }

  /** Closes the card opened by {@link #card}. */
  public HtmlReport endCard() {
    body.append("</section>\n");
    return this;
  }

  /** A line of text with one span highlighted (e.g. the token a feature fires on, in its context). */
  public HtmlReport highlighted(String before, String mark, String after, String note) {
    body.append("<p class=\"context\">").append(escape(before)).append("<mark>").append(escape(mark))
        .append("</mark>").append(escape(after));
    if (note != null && !note.isEmpty()) body.append(" <small>").append(escape(note)).append("</small>");
    body.append("</p>\n");
    return this;
  }

  /** A PNG image embedded as a base64 data URI. */
  public HtmlReport png(byte[] png, String alt) {
    body.append("<img alt=\"").append(escape(alt)).append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
    return this;
  }

  /** A paragraph with a link; {@code href} should be relative so the report folder can move as a whole. */
  public HtmlReport link(String before, String href, String text) {
    body.append("<p>").append(escape(before)).append("<a href=\"").append(escape(href)).append("\">")
        .append(escape(text)).append("</a></p>\n");
    return this;
  }

  /** Several PNG images side by side, wrapping onto new lines on narrow screens. */
  public HtmlReport pngRow(List<byte[]> pngs, List<String> alts) {
    if (pngs.size() != alts.size()) throw new IllegalArgumentException("pngRow: " + pngs.size() + " images, " + alts.size() + " alt texts");
    body.append("<div class=\"figures\">\n");
    for (int i = 0; i < pngs.size(); i++) png(pngs.get(i), alts.get(i));
    body.append("</div>\n");
    return this;
  }

  /** The whole document. */
  public String toHtml() {
    return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" + escape(title) + "</title>\n"
        + "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 .5em;overflow-wrap:anywhere}"
        + ".table-wrap{max-width:100%;overflow-x:auto}.figures{display:flex;flex-wrap:wrap;gap:.5em}"
        + ".figures img{max-width:min(100%,540px)}"
        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;"
        + "text-align:right}th{background:#eee}td:first-child{text-align:left}"
        + ".finding{font-weight:bold;background:#fff6d5;padding:.5em}img{max-width:100%}"
        + ".card{border:1px solid #bbb;border-radius:6px;padding:0 1em;margin:1.5em 0}"
        + ".context{font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere}mark{background:#ffd54f}</style>\n"
        + "</head><body>\n" + body + "</body></html>\n";
  }

  /** Writes the document (UTF-8). */
  public void write(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      Files.writeString(file, toHtml(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("writing report " + file, e);
    }
  }
}
