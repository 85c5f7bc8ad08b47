/** JMH benchmarks of ScaleBlocks' hot paths beside the libraries they are measured against. */
package io.scaleblocks.bench;
