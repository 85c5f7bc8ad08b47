package io.scaleblocks.consumer;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.config.Settings;
import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.EndpointGroup;
import io.scaleblocks.lb.LoadBalancer;
import io.scaleblocks.queue.Message;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.MessageQueues;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.replication.ReplicationConfig;
import io.scaleblocks.replication.ReplicationDataSource;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStores;
import io.scaleblocks.sharding.ShardRouter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Uses one API of each module, as an application on the module path would, and prints what each
 * returned. Loading a module's logger, its Caffeine or its config reader fails here first when a
 * {@code module-info} forgets a {@code requires}.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws SQLException, IOException {
    Settings settings = Settings.of("consumer", Map.of("max-size", "3"));
    System.out.println("config: max-size=" + settings.intValue("max-size", 1, 10, 1));
    settings.done();

    ShardRouter<Long, String> router = ShardRouter.<Long, String>builder()
        .shard("s0", "db0").shard("s1", "db1").build();
    System.out.println("sharding: key 42 on " + router.resourceFor(42L));

    LoadBalancer<String> balancer = LoadBalancer.builder(
        EndpointGroup.of(Endpoint.of("a"), Endpoint.of("b"))).build();
    System.out.println("lb: picked " + balancer.pick().address());
    balancer.close();

    CacheAside<String, String> cache = CacheAside.<String, String>builder(key -> Optional.of(key + "!"))
        .name("consumer").build();
    System.out.println("cache: " + cache.get("hello").orElseThrow());
    cache.close();

    try (ReplicationDataSource db = ReplicationDataSource.create(ReplicationConfig.builder()
            .name("consumer").primary("jdbc:h2:mem:consumer").build());
        Connection connection = db.getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT 40 + 2")) {
      result.next();
      System.out.println("replication: " + result.getInt(1));
    }

    SessionStore store = SessionStores.inMemory().build();
    SessionAttribute<String> user = SessionAttribute.string("user");
    Session session = store.create();
    session.set(user, "ada");
    store.save(session);
    System.out.println("session: " + store.find(session.id()).orElseThrow().get(user).orElseThrow());

    Path directory = Files.createTempDirectory("consumer-queue");
    try (MessageQueue queue = MessageQueues.open(directory, QueueConfig.defaults())) {
      queue.publish("photos", "resize:42".getBytes(StandardCharsets.UTF_8));
      List<Message> taken = queue.poll("photos", "thumbnails", "consumer", 1, Duration.ofSeconds(5));
      queue.ackAll(taken);
      System.out.println("queue: " + new String(taken.get(0).payload(), StandardCharsets.UTF_8));
    }
  }
}
