package io.scaleblocks.bench.queue;

import io.scaleblocks.queue.Durability;
import io.scaleblocks.queue.MessageQueue;
import io.scaleblocks.queue.QueueConfig;
import io.scaleblocks.queue.SegmentedLogQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One producer appending 100-byte messages without fsync: our file log ({@code segmentedLog},
 * durability NONE: every record is in the page cache when publish returns, so it survives a
 * process crash), Chronicle Queue's appender (the anchor; also memory-mapped, also no sync), and a
 * plain NIO loop that frames records with length + CRC32C into a 1 MiB buffer and writes it when
 * full (the naive baseline: a crash loses up to 1 MiB of returned appends). Same disk, fresh
 * directory per iteration.
 */
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {"--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "-Dchronicle.analytics.disable=true"})
public class QueueAppendBenchmark {

  @Param({"segmentedLog", "chronicle", "naiveNio"})
  String impl;

  private final byte[] payload = BenchDirs.payload();
  private Path dir;
  private MessageQueue queue;
  private ChronicleQueue chronicle;
  private ExcerptAppender appender;
  private Bytes<byte[]> bytes;
  private FileChannel channel;
  private ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();

  @Setup(Level.Iteration)
  public void open() throws IOException {
    dir = BenchDirs.fresh(impl);
    switch (impl) {
      case "segmentedLog" -> queue = SegmentedLogQueue.open(dir,
          QueueConfig.builder().durability(Durability.NONE).build());
      case "chronicle" -> {
        chronicle = ChronicleQueue.singleBuilder(dir).build();
        appender = chronicle.createAppender();
        bytes = Bytes.wrapForRead(payload);
      }
      case "naiveNio" -> {
        channel = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        buffer = ByteBuffer.allocateDirect(1 << 20);
      }
      default -> throw new IllegalArgumentException(impl);
    }
  }

  @TearDown(Level.Iteration)
  public void close() throws IOException {
    if (queue != null) {
      queue.close();
      queue = null;
    }
    if (chronicle != null) {
      appender.close();
      chronicle.close();
      chronicle = null;
    }
    if (channel != null) {
      channel.close();
      channel = null;
    }
    BenchDirs.delete(dir);
  }

  @Benchmark
  public Object append() throws IOException {
    switch (impl) {
      case "segmentedLog" -> {
        return queue.publish("bench", payload);
      }
      case "chronicle" -> {
        bytes.readPosition(0);
        appender.writeBytes(bytes);
        return appender;
      }
      default -> {
        if (buffer.remaining() < payload.length + 8) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
          buffer.clear();
        }
        crc.reset();
        crc.update(payload);
        buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        return buffer;
      }
    }
  }
}
