/** The settings convention every ScaleBlocks module reads its {@code from(Map)} forms with. */
module io.scaleblocks.config {
  exports io.scaleblocks.config;
}
