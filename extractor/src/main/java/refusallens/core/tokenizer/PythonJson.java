package refusallens.core.tokenizer;

import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=...)} for template values, so {@code |tojson}
 * renders exactly as transformers renders it ({@code ", "} and {@code ": "} separators).
 */
final class PythonJson {
  private PythonJson() {}

  static String dumps(Object value, Integer indent) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, indent, 0);
    return sb.toString();
  }

  private static void newline(StringBuilder sb, Integer indent, int level) {
    sb.append('\n');
    sb.append(" ".repeat(indent * level));
  }

  private static void write(StringBuilder sb, Object v, Integer indent, int level) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Number n) {
      sb.append(n);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
      boolean first = true;
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        sb.append(first ? "" : (indent == null ? ", " : ","));
        if (indent != null) {
          newline(sb, indent, level + 1);
        }
        string(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), indent, level + 1);
        first = false;
      }
      if (indent != null) {
        newline(sb, indent, level);
      }
      sb.append('}');
    } else if (v instanceof Iterable<?> list) {
      Iterator<?> it = list.iterator();
      if (!it.hasNext()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      boolean first = true;
      while (it.hasNext()) {
        Object x = it.next();
        sb.append(first ? "" : (indent == null ? ", " : ","));
        if (indent != null) {
          newline(sb, indent, level + 1);
        }
        write(sb, x, indent, level + 1);
        first = false;
      }
      if (indent != null) {
        newline(sb, indent, level);
      }
      sb.append(']');
    } else if (v instanceof Object[] arr) {
      write(sb, java.util.Arrays.asList(arr), indent, level);
    } else {
      string(sb, v.toString());
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
