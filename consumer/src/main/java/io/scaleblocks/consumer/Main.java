package io.scaleblocks.consumer;

import io.scaleblocks.cache.CacheAside;
import io.scaleblocks.config.Settings;
import io.scaleblocks.lb.Endpoint;
import io.scaleblocks.lb.EndpointGroup;
import io.scaleblocks.lb.LoadBalancer;
import io.scaleblocks.sharding.ShardRouter;
import java.util.Map;
import java.util.Optional;

/**
 * Uses one API of each module, as an application on the module path would, and prints what each
 * returned. Loading a module's logger, its Caffeine or its config reader fails here first when a
 * {@code module-info} forgets a {@code requires}.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
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
  }
}
