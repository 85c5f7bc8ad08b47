package io.scaleblocks.queue.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.scaleblocks.queue.DeadLetter;
import io.scaleblocks.queue.Message;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import redis.clients.jedis.Builder;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The commands of the publish and consume paths, built as Jedis {@link CommandObject}s of their
 * own: the payload goes to the socket without the copy Jedis makes of every {@code byte[]}
 * argument, and replies are decoded straight into what the queue needs (entry ids as strings,
 * {@link Message}s) instead of Jedis' generic maps and parsed {@code StreamEntryID}s. Each
 * command names its key with {@link CommandArguments#key}, so a Cluster routes it to the key's slot,
 * on Jedis 7.x as on 8.x (see {@link #arguments}).
 * Replies are read in RESP2 and RESP3 (where {@code XREADGROUP} answers a map).
 *
 * <p>Stateless and thread-safe; the command objects are built per call.
 */
final class RedisCommands {

  /**
   * Adds a batch to a bounded stream only if all of it fits: one round trip, and no other publisher
   * can take the room between the count and the add. KEYS[1] the stream; ARGV[1] the bound;
   * ARGV[2..] the payloads. Returns the new entries' ids, or the stream's length when the batch
   * does not fit (nothing added).
   */
  static final String BOUNDED_ADD = String.join("\n",
      "local len = redis.call('XLEN', KEYS[1])",
      "if len + #ARGV - 1 > tonumber(ARGV[1]) then return len end",
      "local ids = {}",
      "for i = 2, #ARGV do",
      "  ids[i - 1] = redis.call('XADD', KEYS[1], '*', 'p', ARGV[i])",
      "end",
      "return ids");
  static final String BOUNDED_ADD_SHA = sha1(BOUNDED_ADD);

  private static final Rawable AUTO_ID = raw("*");
  private static final Rawable PAYLOAD_FIELD = raw("p");
  private static final Rawable GROUP = raw("GROUP");
  private static final Rawable STREAMS = raw("STREAMS");
  private static final Rawable COUNT = raw("COUNT");
  private static final Rawable BLOCK = raw("BLOCK");
  private static final Rawable UNDELIVERED = raw(">");
  private static final Rawable ONE_KEY = raw("1");
  private static final Rawable SHA = raw(BOUNDED_ADD_SHA);
  private static final Rawable SCRIPT = raw(BOUNDED_ADD);

  /**
   * The constructor of Jedis 7.x's {@code ClusterCommandArguments}, or null on Jedis 8, which has
   * no such class.
   */
  private static final MethodHandle CLUSTER_ARGUMENTS = clusterArgumentsConstructor();

  private RedisCommands() {}

  /**
   * Empty arguments of {@code command} that every Jedis client can route. Jedis 7.x's Cluster
   * client reads a command's slot from its own {@code ClusterCommandArguments} subtype (and fails
   * with a {@code ClassCastException} on any other), which computes the slot of each key as it is
   * added; Jedis 8 routes plain arguments. The subtype of a command with one key, or none, works on
   * a standalone server as well.
   */
  static CommandArguments arguments(ProtocolCommand command) {
    if (CLUSTER_ARGUMENTS == null) {
      return new CommandArguments(command);
    }
    try {
      return (CommandArguments) CLUSTER_ARGUMENTS.invokeExact(command);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("Jedis' ClusterCommandArguments could not be built", e);
    }
  }

  private static MethodHandle clusterArgumentsConstructor() {
    Class<?> type;
    try {
      type = Class.forName("redis.clients.jedis.ClusterCommandArguments", false,
          CommandArguments.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return null;  // Jedis 8 and later
    }
    try {
      return MethodHandles.publicLookup().findConstructor(type, MethodType.methodType(void.class, ProtocolCommand.class))
          .asType(MethodType.methodType(CommandArguments.class, ProtocolCommand.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A {@link Rawable} over {@code bytes} as they are: the caller must not change them while in use. */
  static Rawable raw(byte[] bytes) {
    return new Raw(bytes);
  }

  static Rawable raw(String ascii) {
    return new Raw(ascii.getBytes(UTF_8));
  }

  /** {@code XADD key * p payload}; the reply is the new entry's id. */
  static CommandObject<String> xadd(Rawable key, byte[] payload) {
    return new CommandObject<>(arguments(Protocol.Command.XADD).key(key).add(AUTO_ID)
        .add(PAYLOAD_FIELD).add(new Raw(payload)), ID);
  }

  /**
   * {@link #BOUNDED_ADD} of a batch: the ids of the batch, or {@code null} when it does not fit
   * under {@code bound}. By {@code EVALSHA} ({@code byText} false), which a node that has not
   * cached the script answers with {@code NOSCRIPT}; or by {@code EVAL} with the script's text,
   * which cannot be refused so, for a pipeline, where a refused batch sent again would land after
   * the later batches of its round.
   */
  static CommandObject<List<String>> boundedAdd(Rawable key, long bound, List<byte[]> payloads,
      boolean byText) {
    CommandArguments a = arguments(byText ? Protocol.Command.EVAL : Protocol.Command.EVALSHA)
        .add(byText ? SCRIPT : SHA).add(ONE_KEY).key(key)
        .add(new Raw(Long.toString(bound).getBytes(US_ASCII)));
    for (byte[] p : payloads) {
      a.add(new Raw(p));
    }
    return new CommandObject<>(a, IDS_OR_FULL);
  }

  /**
   * Runs a script by its SHA-1 ({@code bySha}), and by its text ({@code byText}) when the key's
   * node answers {@code NOSCRIPT} (flushed, restarted, new): {@code EVAL} caches the script on that
   * node again and is never refused so, so a flush between two calls cannot fail the call.
   */
  static <T> T bySha(Supplier<T> bySha, Supplier<T> byText) {
    try {
      return bySha.get();
    } catch (JedisDataException e) {
      if (!isNoScript(e)) {
        throw e;
      }
      return byText.get();
    }
  }

  private static boolean isNoScript(JedisDataException e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
  }

  /** {@code XACK key group id…}; the reply is how many were pending. */
  static CommandObject<Long> xack(Rawable key, Rawable group, List<Message> messages) {
    CommandArguments a = arguments(Protocol.Command.XACK).key(key).add(group);
    for (Message m : messages) {
      a.add(new Raw(m.id().getBytes(US_ASCII)));
    }
    return new CommandObject<>(a, LONG);
  }

  /**
   * {@code XREADGROUP GROUP group consumer COUNT max [BLOCK ms] STREAMS key >}, decoded into
   * first deliveries of {@code topic} for {@code group}, appended to {@code out}. The reply is read
   * under the client's socket timeout, which must be longer than {@code blockMillis}.
   */
  static CommandObject<Integer> readNew(String topic, String group, Rawable key, Rawable rawGroup,
      Rawable consumer, int max, int blockMillis, List<Message> out) {
    // BLOCK written as a plain argument: XReadGroupParams would mark the command blocking, and
    // Jedis then reads its reply without a socket timeout, so a server that stops answering
    // (stopped, partitioned) would hold the poll forever instead of failing it
    CommandArguments a = arguments(Protocol.Command.XREADGROUP).add(GROUP)
        .add(rawGroup).add(consumer).add(COUNT).add(raw(Integer.toString(max)));
    if (blockMillis > 0) {
      a.add(BLOCK).add(raw(Integer.toString(blockMillis)));
    }
    a.add(STREAMS).key(key).add(UNDELIVERED);
    return new CommandObject<>(a, new Builder<>() {
      @Override
      public Integer build(Object data) {
        return decodeStreams(topic, group, data, out);
      }
    });
  }

  /** The entries of an {@code XREADGROUP} reply (RESP2 array or RESP3 map of one stream). */
  static int decodeStreams(String topic, String group, Object data, List<Message> out) {
    if (data == null) {
      return 0;
    }
    int added = 0;
    for (Object stream : (List<?>) data) {
      Object entries = stream instanceof Map.Entry<?, ?> e ? e.getValue() : ((List<?>) stream).get(1);
      for (Object entry : (List<?>) entries) {
        List<?> idAndFields = (List<?>) entry;
        List<?> fields = (List<?>) idAndFields.get(1);
        if (fields == null) {
          continue; // deleted meanwhile (only claims see these, but be safe)
        }
        out.add(decodeEntry(topic, group, (byte[]) idAndFields.get(0), fields, 1));
        added++;
      }
    }
    return added;
  }

  /** One entry from its raw id and its flat field list (name, value, …), without a map. */
  static Message decodeEntry(String topic, String group, byte[] rawId, List<?> flat,
      int deliveries) {
    byte[] payload = null;
    String[] dead = null;
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      byte[] name = (byte[]) flat.get(i);
      byte[] value = (byte[]) flat.get(i + 1);
      if (name.length == 1 && name[0] == 'p') {
        payload = value;
      } else if (name.length == 2 && name[0] == 's') {
        int slot = switch (name[1]) {
          case 't' -> 0;
          case 'i' -> 1;
          case 'g' -> 2;
          case 'd' -> 3;
          case 'r' -> 4;
          default -> -1;
        };
        if (slot >= 0) {
          if (dead == null) {
            dead = new String[] {"", "", "", "0", ""};
          }
          dead[slot] = new String(value, UTF_8);
        }
      }
    }
    DeadLetter deadLetter = null;
    if (dead != null) {
      deadLetter = new DeadLetter(dead[0], dead[1], dead[2], Integer.parseInt(dead[3]), dead[4]);
    }
    String id = new String(rawId, US_ASCII);
    return new Message(topic, group, id, payload == null ? new byte[0] : payload, deliveries,
        millisOf(id), deadLetter);
  }

  /** The time part of an entry id ({@code <millis>-<sequence>}). */
  static long millisOf(String id) {
    int dash = id.indexOf('-');
    return Long.parseLong(id, 0, dash < 0 ? id.length() : dash, 10);
  }

  private static final Builder<String> ID = new Builder<>() {
    @Override
    public String build(Object data) {
      return new String((byte[]) data, US_ASCII);
    }
  };

  private static final Builder<List<String>> IDS_OR_FULL = new Builder<>() {
    @Override
    public List<String> build(Object data) {
      if (!(data instanceof List<?> raw)) {
        return null; // the stream's length: the batch did not fit
      }
      List<String> ids = new ArrayList<>(raw.size());
      for (Object id : raw) {
        ids.add(new String((byte[]) id, US_ASCII));
      }
      return ids;
    }
  };

  private static final Builder<Long> LONG = new Builder<>() {
    @Override
    public Long build(Object data) {
      return (Long) data;
    }
  };

  /** The SHA-1 that {@code EVALSHA} names {@code script} by. */
  static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(script.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }

  private static final class Raw implements Rawable {
    private final byte[] bytes;

    Raw(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public byte[] getRaw() {
      return bytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Rawable r && Arrays.equals(bytes, r.getRaw());
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }
}
