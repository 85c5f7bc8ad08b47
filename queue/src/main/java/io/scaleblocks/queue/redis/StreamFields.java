package io.scaleblocks.queue.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.scaleblocks.queue.DeadLetter;
import java.util.HashMap;
import java.util.Map;

/**
 * How a message is stored in a stream entry: field {@code p} holds the payload; a dead letter adds
 * {@code st} (source topic), {@code si} (source id), {@code sg} (group), {@code sd} (deliveries)
 * and {@code sr} (reason). Entries are read back by {@link RedisCommands#decodeEntry}. Stateless.
 */
final class StreamFields {

  static final byte[] PAYLOAD = bytes("p");
  private static final String[] DEAD = {"st", "si", "sg", "sd", "sr"};

  private StreamFields() {}

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  static Map<byte[], byte[]> encode(byte[] payload, DeadLetter deadLetter) {
    if (deadLetter == null) {
      return Map.of(PAYLOAD, payload);
    }
    Map<byte[], byte[]> fields = new HashMap<>();
    fields.put(PAYLOAD, payload);
    if (deadLetter != null) {
      String[] values = {deadLetter.sourceTopic(), deadLetter.sourceId(), deadLetter.group(),
          Integer.toString(deadLetter.deliveries()), deadLetter.reason()};
      for (int i = 0; i < DEAD.length; i++) {
        fields.put(bytes(DEAD[i]), bytes(values[i]));
      }
    }
    return fields;
  }
}
