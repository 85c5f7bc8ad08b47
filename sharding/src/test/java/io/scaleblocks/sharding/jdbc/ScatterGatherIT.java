package io.scaleblocks.sharding.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scaleblocks.sharding.Gather;
import io.scaleblocks.sharding.ScatterGather;
import io.scaleblocks.sharding.ScatterGatherException;
import io.scaleblocks.sharding.ShardRouter;
import io.scaleblocks.testkit.RequireServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scatter-gather over four shard databases on the real PostgreSQL primary. "One shard stopped" is
 * a server-side refusal: {@code ALTER DATABASE ... ALLOW_CONNECTIONS false} and its sessions
 * terminated, undone afterwards.
 */
class ScatterGatherIT {

  record Score(long player, long points) {}

  static final Comparator<Score> HIGHEST_FIRST =
      Comparator.comparingLong(Score::points).reversed().thenComparingLong(Score::player);
  static final int PLAYERS = 40_000;

  private static ShardDatabases dbs;
  private static ShardRouter<Long, DataSource> router;
  private static final List<Score> all = new ArrayList<>();

  @BeforeAll
  static void loadScores() throws Exception {
    RequireServer.postgresPrimary();
    dbs = new ShardDatabases("scatter", 4,
        "CREATE TABLE scores (player bigint PRIMARY KEY, points bigint NOT NULL)");
    ShardRouter.Builder<Long, DataSource> builder = ShardRouter.builder();
    for (int i = 0; i < 4; i++) {
      builder.shard("s" + i, dbs.direct(i));
    }
    router = builder.build();
    SplittableRandom random = new SplittableRandom(99);
    List<List<Score>> byShard = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (long player = 0; player < PLAYERS; player++) {
      Score score = new Score(player, random.nextLong(10_000_000));
      all.add(score);
      byShard.get(Integer.parseInt(router.shardFor(player).id().substring(1))).add(score);
    }
    for (int i = 0; i < 4; i++) {
      try (Connection c = dbs.pool(i).getConnection();
          PreparedStatement s = c.prepareStatement("INSERT INTO scores VALUES (?, ?)")) {
        for (Score score : byShard.get(i)) {
          s.setLong(1, score.player());
          s.setLong(2, score.points());
          s.addBatch();
        }
        s.executeBatch();
      }
    }
  }

  @AfterAll
  static void dropShards() throws Exception {
    if (dbs != null) {
      dbs.close();
    }
  }

  private static ScatterGather.ShardTask<DataSource, Score> topK(int k) {
    return ShardQueries.sql("SELECT player, points FROM scores ORDER BY points DESC, player LIMIT ?",
        rs -> new Score(rs.getLong(1), rs.getLong(2)), 2, k);
  }

  @Test
  void returnsTheGlobalTopKAndExactAggregates() {
    try (ScatterGather<DataSource> sg = ScatterGather.over(router).deadline(Duration.ofSeconds(5)).build()) {
      ScatterGather.Result<List<Score>> top = sg.query(topK(50), Gather.mergeSorted(HIGHEST_FIRST, 50));
      assertEquals(all.stream().sorted(HIGHEST_FIRST).limit(50).toList(), top.value());
      assertTrue(top.complete());

      Gather.Aggregate total = sg.query(ShardQueries.aggregate("scores", "points", null, 2),
          Gather.aggregate()).value();
      assertEquals(PLAYERS, total.count());
      assertEquals(all.stream().mapToLong(Score::points).sum(), total.sum());
      assertEquals(all.stream().mapToLong(Score::points).min().getAsLong(), total.min());
      assertEquals(all.stream().mapToLong(Score::points).max().getAsLong(), total.max());
      assertEquals(PLAYERS, sg.query(ShardQueries.sql("SELECT player FROM scores",
          rs -> rs.getLong(1), 2), Gather.concat()).value().size());
    }
  }

  @Test
  void withOneShardStoppedFailFailsNamingItAndPartialAnswersFromTheRest() throws Exception {
    String stopped = "s2";
    dbs.stop(2);
    try (ScatterGather<DataSource> failing = ScatterGather.over(router).build();
        ScatterGather<DataSource> partial = ScatterGather.over(router)
            .partialFailure(ScatterGather.PartialFailurePolicy.PARTIAL).build()) {
      ScatterGatherException e = assertThrows(ScatterGatherException.class,
          () -> failing.query(topK(10), Gather.mergeSorted(HIGHEST_FIRST, 10)));
      assertEquals(List.of(stopped), List.copyOf(e.failures().keySet()));

      ScatterGather.Result<List<Score>> result = partial.query(topK(10), Gather.mergeSorted(HIGHEST_FIRST, 10));
      assertFalse(result.complete());
      assertEquals(List.of(stopped), List.copyOf(result.failures().keySet()));
      List<Score> expected = all.stream()
          .filter(s -> !router.shardFor(s.player()).id().equals(stopped))
          .sorted(HIGHEST_FIRST).limit(10).toList();
      assertEquals(expected, result.value());
    } finally {
      dbs.start(2);
    }
  }
}
