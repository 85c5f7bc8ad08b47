package io.scaleblocks.queue.redis;

import io.scaleblocks.queue.QueueException;
import io.scaleblocks.queue.QueueFullException;
import io.scaleblocks.queue.internal.WorkerStop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The asynchronous publishes of a {@link RedisStreamsQueue}: callers queue their batches (after the
 * size and bound checks) and return; one sender thread takes what is queued, up to
 * {@link #MAX_ROUND} messages (or one larger batch), sends it as one pipeline ({@code XADD}s, and
 * for a batch of a bounded topic one {@code EVAL} of {@link RedisCommands#BOUNDED_ADD}, which
 * adds the batch only if it fits), and completes each batch's future with its replies (the entry
 * ids) once Redis has answered, in the order the batches were queued; a bounded batch that did not
 * fit fails with a {@link QueueFullException}. A failed round trip fails every batch of the round; an error
 * reply, or no reply (on a Cluster, Jedis leaves the replies of a node whose connection failed
 * unset and fails nothing), fails its own batch; whatever the client throws, the thread goes on. {@link #close} lets the thread send what is queued and fails what is left after a
 * bounded wait: no future stays pending.
 *
 * <p>Thread-safe. Futures complete on the sender thread.
 */
final class RedisSender {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSender.class);
  static final int MAX_ROUND = 1024;

  /** One async publish: {@code bound} &gt; 0 for a bounded topic (added by the bound's script). */
  private record Batch(String topic, String key, Rawable rawKey, List<byte[]> payloads, long bound,
      CompletableFuture<List<String>> future) {}

  private final UnifiedJedis jedis;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final ArrayDeque<Batch> queued = new ArrayDeque<>();
  /** The round being sent: close fails it too if the round trip outlasts the wait. */
  private List<Batch> sending = List.of();
  private final Thread thread;
  private boolean closed;

  RedisSender(UnifiedJedis jedis, String name) {
    this.jedis = jedis;
    this.name = name;
    this.thread = new Thread(this::run, name + "-redis-sender");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues {@code payloads} for the stream {@code key} of {@code topic}; the future completes with
   * their ids. With a {@code bound} &gt; 0 they are added only if the stream then holds at most that
   * many entries (checked and added in one script); otherwise the future fails with a
   * {@link QueueFullException} and nothing of the batch is written.
   */
  CompletableFuture<List<String>> submit(String topic, String key, Rawable rawKey,
      List<byte[]> payloads, long bound) {
    CompletableFuture<List<String>> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException(name + " - the queue is closed");
      }
      queued.addLast(new Batch(topic, key, rawKey, payloads, bound, future));
      work.signal();
    } finally {
      lock.unlock();
    }
    return future;
  }

  private void run() {
    try {
      List<Batch> round;
      while (!(round = take()).isEmpty()) {
        try {
          send(round);
        } catch (RuntimeException e) {
          // whatever the client throws, the round's futures complete and the thread goes on
          LOG.warn("{} - an XADD round failed: {}", name, e.toString());
          fail(round, e);
        }
        lock.lock();
        try {
          sending = List.of();
        } finally {
          lock.unlock();
        }
        // a callback run by a completion may leave this thread interrupted; nobody else does
        Thread.interrupted();
      }
    } catch (InterruptedException e) {
      LOG.warn("{} - Redis sender interrupted; queued publishes fail", name);
    } finally {
      lock.lock();
      try {
        closed = true;
      } finally {
        lock.unlock();
      }
      failQueued();
    }
  }

  /** Waits for work; returns up to {@link #MAX_ROUND} messages' batches, none once closed and idle. */
  private List<Batch> take() throws InterruptedException {
    lock.lock();
    try {
      while (queued.isEmpty() && !closed) {
        work.await();
      }
      List<Batch> round = new ArrayList<>();
      int messages = 0;
      while (!queued.isEmpty() && (round.isEmpty()
          || messages + queued.peekFirst().payloads().size() <= MAX_ROUND)) {
        Batch b = queued.pollFirst();
        messages += b.payloads().size();
        round.add(b);
      }
      sending = round;
      return round;
    } finally {
      lock.unlock();
    }
  }

  /**
   * One pipeline for the round: an {@code XADD} per message of an unbounded topic, one
   * {@code EVAL} per batch of a bounded one. {@code EVAL} and not {@code EVALSHA}: a batch that got
   * {@code NOSCRIPT} (its node had flushed or lost its scripts) could only be sent again after the
   * round, behind later batches of its topic that found the script loaded again meanwhile.
   */
  private void send(List<Batch> round) {
    Object[] replies = new Object[round.size()];
    try (AbstractPipeline p = jedis.pipelined()) {
      for (int i = 0; i < round.size(); i++) {
        Batch b = round.get(i);
        if (b.bound() > 0) {
          replies[i] = p.executeCommand(RedisCommands.boundedAdd(b.rawKey(), b.bound(),
              b.payloads(), true));
        } else {
          List<Response<String>> r = new ArrayList<>(b.payloads().size());
          for (byte[] payload : b.payloads()) {
            r.add(p.executeCommand(RedisCommands.xadd(b.rawKey(), payload)));
          }
          replies[i] = r;
        }
      }
      p.sync();
    } catch (RuntimeException e) {
      fail(round, e);
      return;
    }
    for (int i = 0; i < round.size(); i++) {
      complete(round.get(i), replies[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private void complete(Batch b, Object reply) {
    try {
      List<String> ids;
      if (b.bound() > 0) {
        ids = ((Response<List<String>>) reply).get();
        if (ids == null) {
          b.future().completeExceptionally(new QueueFullException(name + " - topic '" + b.topic()
              + "' holds " + b.bound() + " unacknowledged messages (max-pending-messages): another"
              + " publisher took the room after this publish checked it; nothing of the batch was"
              + " written"));
          return;
        }
      } else {
        List<Response<String>> responses = (List<Response<String>>) reply;
        ids = new ArrayList<>(responses.size());
        for (Response<String> r : responses) {
          ids.add(r.get());
        }
      }
      b.future().complete(ids);
    } catch (JedisException e) {
      b.future().completeExceptionally(new QueueException(name + " - XADD to " + b.key()
          + " failed: " + e.getMessage(), e));
    } catch (IllegalStateException e) {
      // a cluster pipeline logs a node's connection failure and leaves its replies unset
      b.future().completeExceptionally(new QueueException(name + " - XADD to " + b.key()
          + " got no reply (the connection to its node failed during the pipeline)", e));
    }
  }

  /** Fails every batch of {@code round} not completed yet with {@code cause}. */
  private void fail(List<Batch> round, RuntimeException cause) {
    for (Batch b : round) {
      b.future().completeExceptionally(new QueueException(name + " - XADD to " + b.key()
          + " failed: " + cause.getMessage(), cause));
    }
  }

  private void failQueued() {
    List<Batch> left = new ArrayList<>();
    List<Batch> unanswered;
    lock.lock();
    try {
      left.addAll(queued);
      queued.clear();
      unanswered = sending;
    } finally {
      lock.unlock();
    }
    for (Batch b : left) {
      b.future().completeExceptionally(new QueueException(name + " - closed before the XADD to "
          + b.key() + " was sent"));
    }
    // already completed if the round trip returned; otherwise its XADDs may or may not be applied
    for (Batch b : unanswered) {
      b.future().completeExceptionally(new QueueException(name + " - closed before Redis answered"
          + " the XADD to " + b.key()));
    }
  }

  /**
   * Lets the thread send what is queued, waits for it (bounded) and fails what is left, including
   * a round whose reply has not come (the thread stays blocked in that round trip until the
   * client's read timeout, if it has one).
   */
  void close() {
    WorkerStop.stop(lock, () -> {
      closed = true;
      work.signal();
    }, thread, LOG, name, "Redis sender");
    failQueued();
  }
}
