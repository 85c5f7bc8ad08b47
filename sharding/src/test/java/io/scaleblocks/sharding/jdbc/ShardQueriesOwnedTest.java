package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.scaleblocks.sharding.Gather;
import io.scaleblocks.sharding.ScatterGather;
import io.scaleblocks.sharding.ShardRouter;
import java.util.List;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class ShardQueriesOwnedTest {

  @Test
  void ownedKeepsEachShardToTheRowsTheRouterPlacesThere() {
    ShardRouter<Long, DataSource> router = ShardRouter.<Long, DataSource>builder()
        .shard("s0", new JdbcDataSource()).shard("s1", new JdbcDataSource())
        .shard("s2", new JdbcDataSource()).build();
    router.pin(5L, "s2");
    // Every shard answers every key, as if a migration had left copies everywhere.
    List<Long> all = LongStream.range(0, 300).boxed().toList();
    ScatterGather.ShardTask<DataSource, Long> everything = shard -> all;
    try (ScatterGather<DataSource> sg = ScatterGather.over(router).build()) {
      List<Long> counted = sg.query(everything, Gather.concat()).value();
      assertEquals(900, counted.size(), "without the filter each key counts three times");
      List<Long> owned = sg.query(ShardQueries.owned(everything, router, (Long key) -> key), Gather.concat()).value();
      assertEquals(all, owned.stream().sorted().toList(), "with it each key counts once");
    }
  }
}
