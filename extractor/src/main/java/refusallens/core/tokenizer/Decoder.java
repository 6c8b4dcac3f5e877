package refusallens.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A tokenizer.json decoder: turns token strings back into text, one chain step at a time. */
sealed interface Decoder {
  List<String> decodeChain(List<String> tokens);

  /** Runs the chain and joins the result, as HF's Decoder::decode. */
  default String decode(List<String> tokens) {
    return String.join("", decodeChain(tokens));
  }

  /** {@code ByteLevel}: byte-level characters back to UTF-8 bytes, invalid sequences as U+FFFD. */
  record ByteLevel() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (String t : tokens) {
        byte[] mapped = new byte[t.length()];
        boolean all = true;
        for (int i = 0; i < t.length(); i++) {
          int b = ByteLevelAlphabet.byteOf(t.charAt(i));
          if (b < 0) {
            all = false;
            break;
          }
          mapped[i] = (byte) b;
        }
        byte[] use = all ? mapped : t.getBytes(StandardCharsets.UTF_8);
        bytes.write(use, 0, use.length);
      }
      return List.of(Utf8.decodeLossy(bytes.toByteArray()));
    }
  }

  /** {@code Replace}: a literal or regex pattern replaced in each token. */
  record Replace(Pattern pattern, boolean literal, String search, String content) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        out.add(
            literal
                ? t.replace(search, content)
                : pattern.matcher(t).replaceAll(Matcher.quoteReplacement(content)));
      }
      return out;
    }
  }

  /** {@code ByteFallback}: runs of {@code <0xNN>} tokens become their UTF-8 text (U+FFFD per byte if invalid). */
  record ByteFallback() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      ByteArrayOutputStream pending = new ByteArrayOutputStream();
      for (String t : tokens) {
        int b = byteToken(t);
        if (b >= 0) {
          pending.write(b);
          continue;
        }
        flush(pending, out);
        out.add(t);
      }
      flush(pending, out);
      return out;
    }

    private static int byteToken(String t) {
      if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
        return -1;
      }
      int hi = Character.digit(t.charAt(3), 16);
      int lo = Character.digit(t.charAt(4), 16);
      return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private static void flush(ByteArrayOutputStream pending, List<String> out) {
      if (pending.size() == 0) {
        return;
      }
      byte[] bytes = pending.toByteArray();
      String s = Utf8.decodeStrict(bytes);
      if (s != null) {
        out.add(s);
      } else {
        for (int i = 0; i < bytes.length; i++) {
          out.add("\uFFFD");
        }
      }
      pending.reset();
    }
  }

  /** {@code Fuse}: all tokens into one string. */
  record Fuse() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      return List.of(String.join("", tokens));
    }
  }

  /** {@code Strip}: removes up to {@code start} leading and {@code stop} trailing {@code content} chars per token. */
  record Strip(int content, int start, int stop) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (String t : tokens) {
        int[] cps = t.codePoints().toArray();
        int startCut = 0;
        for (int i = 0; i < Math.min(start, cps.length); i++) {
          if (cps[i] != content) {
            break;
          }
          startCut = i + 1;
        }
        int stopCut = cps.length;
        for (int i = 0; i < stop && cps.length - i - 1 >= 0; i++) {
          int index = cps.length - i - 1;
          if (cps[index] != content) {
            break;
          }
          stopCut = index;
        }
        out.add(startCut >= stopCut ? "" : new String(cps, startCut, stopCut - startCut));
      }
      return out;
    }
  }

  /** {@code Metaspace}: the replacement char back to a space, dropped in the first token when a prefix was added. */
  record Metaspace(char replacement, PreTokenizer.PrependScheme prependScheme) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> out = new ArrayList<>(tokens.size());
      for (int i = 0; i < tokens.size(); i++) {
        String t = tokens.get(i);
        StringBuilder sb = new StringBuilder(t.length());
        for (int k = 0; k < t.length(); k++) {
          char c = t.charAt(k);
          if (c == replacement) {
            if (!(i == 0 && prependScheme != PreTokenizer.PrependScheme.NEVER)) {
              sb.append(' ');
            }
          } else {
            sb.append(c);
          }
        }
        out.add(sb.toString());
      }
      return out;
    }
  }

  /** {@code Sequence}: each decoder's output feeds the next. */
  record Sequence(List<Decoder> decoders) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> tokens) {
      List<String> cur = tokens;
      for (Decoder d : decoders) {
        cur = d.decodeChain(cur);
      }
      return cur;
    }
  }
}
