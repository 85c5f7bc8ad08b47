package io.scaleblocks.queue.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.scaleblocks.queue.DeadLetter;
import io.scaleblocks.queue.Message;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;

/**
 * How a message is stored in a stream entry: field {@code p} holds the payload; a dead letter adds
 * {@code st} (source topic), {@code si} (source id), {@code sg} (group), {@code sd} (deliveries)
 * and {@code sr} (reason). Stateless.
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

  /** Decodes an entry's fields as a flat list (name, value, name, value, …) of byte arrays. */
  static Message decode(String topic, String group, StreamEntryID id, List<?> flat, int deliveries) {
    Map<String, byte[]> fields = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      fields.put(new String((byte[]) flat.get(i), UTF_8), (byte[]) flat.get(i + 1));
    }
    return named(topic, group, id, fields, deliveries);
  }

  static Message decode(String topic, String group, StreamEntryID id, Map<byte[], byte[]> raw,
      int deliveries) {
    Map<String, byte[]> fields = new HashMap<>();
    raw.forEach((k, v) -> fields.put(new String(k, UTF_8), v));
    return named(topic, group, id, fields, deliveries);
  }

  private static Message named(String topic, String group, StreamEntryID id,
      Map<String, byte[]> fields, int deliveries) {
    byte[] payload = fields.getOrDefault("p", new byte[0]);
    DeadLetter deadLetter = null;
    if (fields.containsKey("st")) {
      deadLetter = new DeadLetter(text(fields, "st"), text(fields, "si"), text(fields, "sg"),
          Integer.parseInt(text(fields, "sd")), text(fields, "sr"));
    }
    return new Message(topic, group, id.toString(), payload, deliveries, id.getTime(), deadLetter);
  }

  private static String text(Map<String, byte[]> fields, String name) {
    byte[] v = fields.get(name);
    return v == null ? "" : new String(v, UTF_8);
  }
}
