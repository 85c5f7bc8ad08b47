package io.scaleblocks.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * Lossy striped ring buffers of reads waiting to be applied to the eviction policy, after
 * Caffeine's {@code BoundedBuffer} (itself after BP-Wrapper, Ding et al., ICDE 2009). Readers
 * append without locking; one thread at a time drains under the cache's lock. A read is dropped
 * when its stripe is full or contended, which only makes the policy's view of recency slightly
 * less precise. A single thread never loses a read: a full stripe is drained before it drops.
 */
final class ReadBuffer<E> {

  /** What {@link #offer} did. */
  enum Offer { ADDED, FULL, CONTENDED }

  static final int STRIPE_SIZE = 32;
  private static final int MASK = STRIPE_SIZE - 1;

  private static final class Stripe<E> {
    final AtomicReferenceArray<E> slots = new AtomicReferenceArray<>(STRIPE_SIZE);
    final AtomicLong writes = new AtomicLong();
    volatile long reads;
  }

  private final Stripe<E>[] stripes;
  private final int stripeMask;

  @SuppressWarnings({"unchecked", "rawtypes"})
  ReadBuffer() {
    int count = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1) << 1;
    stripes = new Stripe[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = new Stripe<>();
    }
    stripeMask = count - 1;
  }

  Offer offer(E element) {
    long id = Thread.currentThread().getId();
    Stripe<E> stripe = stripes[(int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & stripeMask];
    long tail = stripe.writes.get();
    if (tail - stripe.reads >= STRIPE_SIZE) {
      return Offer.FULL;
    }
    if (!stripe.writes.compareAndSet(tail, tail + 1)) {
      return Offer.CONTENDED;
    }
    stripe.slots.lazySet((int) tail & MASK, element);
    return Offer.ADDED;
  }

  /** Applies every published read to {@code consumer}; only under the cache's lock. */
  void drainTo(Consumer<? super E> consumer) {
    for (Stripe<E> stripe : stripes) {
      long head = stripe.reads;
      long tail = stripe.writes.get();
      while (head != tail) {
        int index = (int) head & MASK;
        E element = stripe.slots.get(index);
        if (element == null) {
          break;
        }
        stripe.slots.lazySet(index, null);
        consumer.accept(element);
        head++;
      }
      stripe.reads = head;
    }
  }
}
