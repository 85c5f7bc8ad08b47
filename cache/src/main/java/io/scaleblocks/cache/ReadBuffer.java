package io.scaleblocks.cache;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Lossy striped ring buffers of reads waiting to be applied to the eviction policy, after
 * Caffeine's {@code BoundedBuffer} (itself after BP-Wrapper, Ding et al., ICDE 2009). Readers
 * append without locking; one thread at a time drains under the cache's lock. A read is dropped
 * when its stripe is full or contended, which only makes the policy's view of recency slightly
 * less precise. A single thread never loses a read: a full stripe is drained before it drops.
 *
 * <p>Each stripe's counters sit {@value #PAD} longs apart, so threads appending to different
 * stripes do not share a cache line.
 */
final class ReadBuffer<E> {

  /** What {@link #offer} did. */
  enum Offer { ADDED, FULL, CONTENDED }

  static final int STRIPE_SIZE = 32;
  private static final int MASK = STRIPE_SIZE - 1;
  private static final int PAD = 16;

  private final AtomicReferenceArray<E> slots;
  /** Per stripe, at index {@code stripe * PAD}: appends claimed. */
  private final AtomicLongArray writes;
  /** Per stripe, at index {@code stripe * PAD}: appends consumed by the drainer. */
  private final AtomicLongArray reads;
  private final int stripeMask;

  ReadBuffer() {
    int count = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1) << 1;
    slots = new AtomicReferenceArray<>(count * STRIPE_SIZE);
    writes = new AtomicLongArray(count * PAD + PAD);
    reads = new AtomicLongArray(count * PAD + PAD);
    stripeMask = count - 1;
  }

  Offer offer(E element) {
    long id = Thread.currentThread().getId();
    int stripe = (int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & stripeMask;
    int counter = (stripe + 1) * PAD;
    long tail = writes.get(counter);
    if (tail - reads.get(counter) >= STRIPE_SIZE) {
      return Offer.FULL;
    }
    if (!writes.compareAndSet(counter, tail, tail + 1)) {
      return Offer.CONTENDED;
    }
    slots.lazySet(stripe * STRIPE_SIZE + ((int) tail & MASK), element);
    return Offer.ADDED;
  }

  /** Applies every published read to {@code consumer}; only under the cache's lock. */
  void drainTo(Consumer<? super E> consumer) {
    for (int stripe = 0; stripe <= stripeMask; stripe++) {
      int counter = (stripe + 1) * PAD;
      long head = reads.get(counter);
      long tail = writes.get(counter);
      if (head == tail) {
        continue;
      }
      while (head != tail) {
        int index = stripe * STRIPE_SIZE + ((int) head & MASK);
        E element = slots.get(index);
        if (element == null) {
          break;
        }
        slots.lazySet(index, null);
        consumer.accept(element);
        head++;
      }
      reads.lazySet(counter, head);
    }
  }
}
