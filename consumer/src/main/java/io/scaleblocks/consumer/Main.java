package io.scaleblocks.consumer;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.config.Settings;
import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.EndpointGroup;
import io.scaleblocks.lb.LoadBalancer;
import io.scaleblocks.replication.ReplicationConfig;
import io.scaleblocks.replication.ReplicationDataSource;
import io.scaleblocks.session.Session;
import io.scaleblocks.session.SessionAttribute;
import io.scaleblocks.session.SessionStore;
import io.scaleblocks.session.SessionStores;
import io.scaleblocks.sharding.ShardRouter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

/**
 * Uses one API of each module, as an application on the module path would, and prints what each
 * returned. Loading a module's logger, its Caffeine or its config reader fails here first when a
 * {@code module-info} forgets a {@code requires}.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws SQLException {
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
  }
}
