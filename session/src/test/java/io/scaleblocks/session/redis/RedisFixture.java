package io.scaleblocks.session.redis;

import io.scaleblocks.testkit.ServerAddresses;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.stream.Collectors;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;

/** Clients of the test servers, with short timeouts so that a fault shows quickly. */
final class RedisFixture {

  static final int TIMEOUT_MILLIS = 500;

  private RedisFixture() {}

  static HostAndPort standalone() {
    InetSocketAddress a = ServerAddresses.addressOf(ServerAddresses.redisUrl());
    return new HostAndPort(a.getHostString(), a.getPort());
  }

  static JedisClientConfig clientConfig() {
    return DefaultJedisClientConfig.builder().connectionTimeoutMillis(TIMEOUT_MILLIS)
        .socketTimeoutMillis(TIMEOUT_MILLIS).build();
  }

  static RedisClient standaloneClient() {
    return RedisClient.builder().hostAndPort(standalone()).clientConfig(clientConfig()).build();
  }

  static RedisClusterClient clusterClient() {
    Set<HostAndPort> nodes = ServerAddresses.redisClusterNodes().stream()
        .map(a -> new HostAndPort(a.getHostString(), a.getPort())).collect(Collectors.toSet());
    return RedisClusterClient.builder().nodes(nodes).clientConfig(clientConfig()).build();
  }
}
