package io.scaleblocks.session.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * One Lua script from this package's resources, run by {@code EVALSHA} (one round trip) and sent
 * whole by {@code EVAL} only when a node has not cached it yet (a restarted or new node). Each
 * script is {@code prelude.lua} (how a session hash's timing fields are read and its deadline
 * found, shared by every script) followed by the script's own file.
 */
final class LuaScript {

  static final LuaScript FIND = load("find.lua");
  static final LuaScript SAVE = load("save.lua");
  static final LuaScript RENAME = load("rename.lua");
  static final LuaScript DELETE = load("delete.lua");
  static final LuaScript INDEX_ADD = load("index-add.lua");
  static final LuaScript INDEX_READ = load("index-read.lua");
  static final LuaScript OWNER = load("owner.lua");
  static final LuaScript DELETE_OWNED = load("delete-owned.lua");

  private final byte[] source;
  private final byte[] sha1;

  private LuaScript(byte[] source) {
    this.source = source;
    try {
      String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
      this.sha1 = hex.getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static LuaScript load(String name) {
    byte[] prelude = resource("prelude.lua");
    byte[] script = resource(name);
    byte[] source = Arrays.copyOf(prelude, prelude.length + script.length);
    System.arraycopy(script, 0, source, prelude.length, script.length);
    return new LuaScript(source);
  }

  private static byte[] resource(String name) {
    try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SHA-1 that {@code EVALSHA} names this script by, in hex. */
  String sha1Hex() {
    return new String(sha1, StandardCharsets.US_ASCII);
  }

  Object run(UnifiedJedis jedis, List<byte[]> keys, List<byte[]> args) {
    try {
      return jedis.evalsha(sha1, keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.eval(source, keys, args);
    }
  }
}
