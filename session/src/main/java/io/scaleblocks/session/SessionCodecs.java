package io.scaleblocks.session;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The built-in codecs: UTF-8 strings, {@code long}, {@code int}, {@code double} (big-endian, fixed
 * width) and raw byte arrays. None of them deserializes Java objects. Decoding checks the input:
 * a wrong length or invalid UTF-8 is refused, never turned into a wrong value.
 */
public final class SessionCodecs {

  private static final SessionCodec<String> STRING = new SessionCodec<>() {
    @Override public byte[] encode(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override public String decode(byte[] bytes) {
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("not UTF-8 text (" + bytes.length + " bytes)", e);
      }
    }
  };

  private static final SessionCodec<Long> LONG = new SessionCodec<>() {
    @Override public byte[] encode(Long value) {
      long v = value;
      byte[] bytes = new byte[Long.BYTES];
      for (int i = Long.BYTES - 1; i >= 0; i--) {
        bytes[i] = (byte) v;
        v >>>= 8;
      }
      return bytes;
    }

    @Override public Long decode(byte[] bytes) {
      return ByteBuffer.wrap(exactly(bytes, Long.BYTES, "a long")).getLong();
    }
  };

  private static final SessionCodec<Integer> INT = new SessionCodec<>() {
    @Override public byte[] encode(Integer value) {
      return ByteBuffer.allocate(Integer.BYTES).putInt(value).array();
    }

    @Override public Integer decode(byte[] bytes) {
      return ByteBuffer.wrap(exactly(bytes, Integer.BYTES, "an int")).getInt();
    }
  };

  private static final SessionCodec<Double> DOUBLE = new SessionCodec<>() {
    @Override public byte[] encode(Double value) {
      return ByteBuffer.allocate(Double.BYTES).putDouble(value).array();
    }

    @Override public Double decode(byte[] bytes) {
      return ByteBuffer.wrap(exactly(bytes, Double.BYTES, "a double")).getDouble();
    }
  };

  private static final SessionCodec<byte[]> BYTES = new SessionCodec<>() {
    @Override public byte[] encode(byte[] value) {
      return value.clone();
    }

    @Override public byte[] decode(byte[] bytes) {
      return bytes.clone();
    }
  };

  private SessionCodecs() {}

  public static SessionCodec<String> string() {
    return STRING;
  }

  public static SessionCodec<Long> longs() {
    return LONG;
  }

  public static SessionCodec<Integer> ints() {
    return INT;
  }

  public static SessionCodec<Double> doubles() {
    return DOUBLE;
  }

  /** Copies in and out, so a caller's array is never shared with the session. */
  public static SessionCodec<byte[]> bytes() {
    return BYTES;
  }

  private static byte[] exactly(byte[] bytes, int length, String what) {
    if (bytes.length != length) {
      throw new IllegalArgumentException(
          what + " takes " + length + " bytes but the value has " + bytes.length);
    }
    return bytes;
  }
}
