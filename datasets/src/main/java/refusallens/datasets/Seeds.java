package refusallens.datasets;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Derives independent, reproducible seeds from a base seed and names (SplitMix64 over the name bytes). */
public final class Seeds {
  private Seeds() {}

  /** A seed for the stream named {@code parts} under {@code seed}; stable across JVMs and runs. */
  public static long derive(long seed, String... parts) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (String p : parts) {
      for (byte b : p.getBytes(StandardCharsets.UTF_8)) {
        h = mix(h ^ (b & 0xFF));
      }
      h = mix(h ^ 0xFFL);
    }
    return h;
  }

  /** A {@link Random} on the derived seed (java.util.Random's sequence is fixed by its specification). */
  public static Random random(long seed, String... parts) {
    return new Random(derive(seed, parts));
  }

  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
