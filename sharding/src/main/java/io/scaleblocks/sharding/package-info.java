/**
 * ScaleBlocks sharding: hash functions ({@link io.scaleblocks.sharding.Hashing}), placements of
 * keys on nodes ({@link io.scaleblocks.sharding.Placements}), routing a sharding key to its shard
 * ({@link io.scaleblocks.sharding.ShardRouter} over immutable
 * {@link io.scaleblocks.sharding.ShardTopology} snapshots), resharding plans
 * ({@link io.scaleblocks.sharding.ReshardingPlan}), hot-key detection
 * ({@link io.scaleblocks.sharding.HotKeyDetector}) and scatter-gather
 * ({@link io.scaleblocks.sharding.ScatterGather}).
 *
 * <p>Nullness: no method accepts or returns null unless its Javadoc says so; a null argument
 * fails with a {@link java.lang.NullPointerException} that names it.
 */
package io.scaleblocks.sharding;
