package io.scaleblocks.queue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk frame of one record of a segment (all integers big-endian):
 *
 * <pre>
 *   u32 length      bytes of the body that follows the checksum (at least 17)
 *   u32 crc32c      CRC32C (Castagnoli) of those body bytes
 *   body:
 *     u64 offset    the record's offset in its topic (0, 1, 2, ...)
 *     u64 timestamp publish time, milliseconds since the epoch
 *     u8  kind      0 message, 1 dead letter, 2 skipped
 *     kind 1 only:  source topic, source id, group (each u16 length + UTF-8),
 *                   u32 deliveries, reason (u16 length + UTF-8)
 *     kind 0 and 1: the payload, to the end of the body
 *     kind 2:       filler, to the end of the body
 * </pre>
 *
 * A length of zero is never written, so a zeroed region reads as "no record here". Stateless.
 */
final class RecordFormat {

  static final int FRAME_HEADER = 8;
  static final int BODY_FIXED = 17;
  static final int MIN_FRAME = FRAME_HEADER + BODY_FIXED;
  static final byte KIND_MESSAGE = 0;
  static final byte KIND_DEAD_LETTER = 1;
  static final byte KIND_SKIPPED = 2;
  static final int MAX_REASON_BYTES = 400;

  private RecordFormat() {}

  /** Bytes the frame of this record takes. */
  static int frameSize(byte[] payload, DeadLetter deadLetter) {
    return MIN_FRAME + (deadLetter == null ? 0 : deadLetterBytes(deadLetter)) + payload.length;
  }

  /** Writes one frame at {@code position} of {@code target}; returns its size. */
  static int write(ByteBuffer target, int position, long offset, long timestamp, byte[] payload,
      DeadLetter deadLetter, CRC32C crc) {
    return write(target, target.duplicate(), position, offset, timestamp, payload, deadLetter, crc);
  }

  /** {@link #write}, with {@code view} a duplicate of {@code target} that it may move. */
  static int write(ByteBuffer target, ByteBuffer view, int position, long offset, long timestamp,
      byte[] payload, DeadLetter deadLetter, CRC32C crc) {
    int p = position + FRAME_HEADER;
    target.putLong(p, offset);
    target.putLong(p + 8, timestamp);
    target.put(p + 16, deadLetter == null ? KIND_MESSAGE : KIND_DEAD_LETTER);
    p += BODY_FIXED;
    if (deadLetter != null) {
      p = putString(target, p, deadLetter.sourceTopic());
      p = putString(target, p, deadLetter.sourceId());
      p = putString(target, p, deadLetter.group());
      target.putInt(p, deadLetter.deliveries());
      p = putString(target, p + 4, reason(deadLetter));
    }
    target.put(p, payload);
    p += payload.length;
    int length = p - position - FRAME_HEADER;
    target.putInt(position, length);
    view.limit(p).position(position + FRAME_HEADER);
    crc.reset();
    crc.update(view);
    target.putInt(position + 4, (int) crc.getValue());
    return p - position;
  }

  /** Writes a skipped frame filling exactly {@code size} bytes (at least {@link #MIN_FRAME}). */
  static void writeSkipped(ByteBuffer target, int position, int size, long offset, CRC32C crc) {
    int length = size - FRAME_HEADER;
    target.putLong(position + FRAME_HEADER, offset);
    target.putLong(position + FRAME_HEADER + 8, 0L);
    target.put(position + FRAME_HEADER + 16, KIND_SKIPPED);
    for (int i = position + MIN_FRAME; i < position + size; i++) {
      target.put(i, (byte) ' ');
    }
    target.putInt(position, length);
    target.putInt(position + 4, checksum(target, position + FRAME_HEADER, length, crc));
  }

  /**
   * The size of the valid frame at {@code position} whose offset is at least {@code minOffset}
   * and below {@code maxOffset}, or -1 when there is none (short, zero, torn or failing its CRC).
   */
  static int validFrame(ByteBuffer source, int position, int limit, long minOffset, long maxOffset,
      int maxBody, CRC32C crc) {
    if (limit - position < MIN_FRAME) {
      return -1;
    }
    int length = source.getInt(position);
    if (length < BODY_FIXED || length > maxBody || length > limit - position - FRAME_HEADER) {
      return -1;
    }
    long offset = source.getLong(position + FRAME_HEADER);
    if (offset < minOffset || offset >= maxOffset) {
      return -1;
    }
    if (checksum(source, position + FRAME_HEADER, length, crc) != source.getInt(position + 4)) {
      return -1;
    }
    byte kind = source.get(position + FRAME_HEADER + 16);
    return kind == KIND_MESSAGE || kind == KIND_DEAD_LETTER || kind == KIND_SKIPPED
        ? FRAME_HEADER + length : -1;
  }

  /** The offset of the frame at {@code position} (valid frames only). */
  static long offsetAt(ByteBuffer source, int position) {
    return source.getLong(position + FRAME_HEADER);
  }

  /** Decodes the frame at {@code position}, which {@link #validFrame} accepted when it was written. */
  static StoredRecord read(ByteBuffer source, int position) {
    int length = source.getInt(position);
    int p = position + FRAME_HEADER;
    int end = p + length;
    long offset = source.getLong(p);
    long timestamp = source.getLong(p + 8);
    byte kind = source.get(p + 16);
    p += BODY_FIXED;
    if (kind == KIND_SKIPPED) {
      return new StoredRecord(offset, timestamp, new byte[0], null, true);
    }
    DeadLetter deadLetter = null;
    if (kind == KIND_DEAD_LETTER) {
      String[] s = new String[3];
      for (int i = 0; i < 3; i++) {
        int n = Short.toUnsignedInt(source.getShort(p));
        s[i] = getString(source, p + 2, n);
        p += 2 + n;
      }
      int deliveries = source.getInt(p);
      int n = Short.toUnsignedInt(source.getShort(p + 4));
      String reason = getString(source, p + 6, n);
      p += 6 + n;
      deadLetter = new DeadLetter(s[0], s[1], s[2], deliveries, reason);
    }
    byte[] payload = new byte[end - p];
    source.get(p, payload);
    return new StoredRecord(offset, timestamp, payload, deadLetter, false);
  }

  static int checksum(ByteBuffer source, int position, int length, CRC32C crc) {
    crc.reset();
    crc.update(source.slice(position, length));
    return (int) crc.getValue();
  }

  private static int deadLetterBytes(DeadLetter d) {
    return 2 + utf8(d.sourceTopic()).length + 2 + utf8(d.sourceId()).length + 2
        + utf8(d.group()).length + 4 + 2 + utf8(reason(d)).length;
  }

  private static String reason(DeadLetter d) {
    String r = d.reason();
    while (utf8(r).length > MAX_REASON_BYTES) {
      r = r.substring(0, r.length() - Math.max(1, r.length() / 8));
    }
    return r;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int putString(ByteBuffer target, int position, String s) {
    byte[] bytes = utf8(s);
    target.putShort(position, (short) bytes.length);
    target.put(position + 2, bytes);
    return position + 2 + bytes.length;
  }

  private static String getString(ByteBuffer source, int position, int length) {
    byte[] bytes = new byte[length];
    source.get(position, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
