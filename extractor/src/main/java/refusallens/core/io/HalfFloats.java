package refusallens.core.io;

/**
 * Conversions between float32 and the 16-bit float formats (IEEE half, bfloat16). Written by hand: Java 17
 * has no {@code Float.float16ToFloat}, and ND4J's BFLOAT16 buffer from a ByteBuffer returns garbage.
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** IEEE 754 binary16 bits to float (exact: every half is a float). */
  public static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) { // inf or NaN: keep the payload
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) { // zero or subnormal: mant * 2^-24
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** bfloat16 bits to float (exact: bfloat16 is the top half of a float). */
  public static float bf16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }

  /** float to bfloat16 bits, rounding to nearest even as PyTorch does; NaN stays a (quiet) NaN. */
  public static short floatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
