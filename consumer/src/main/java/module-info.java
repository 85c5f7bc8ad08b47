/** A user's modular application that requires the published modules by name. */
module io.scaleblocks.consumer {
  requires io.scaleblocks.config;
  requires io.scaleblocks.sharding;
  requires io.scaleblocks.lb;
  requires io.scaleblocks.cache;
  requires io.scaleblocks.replication;
  requires io.scaleblocks.session;
  requires io.scaleblocks.queue;
}
