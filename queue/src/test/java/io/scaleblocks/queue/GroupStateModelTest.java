package io.scaleblocks.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lease batches of {@link GroupState} against a plain model of the leases (one due time per
 * pending offset, as before the batches): random polls, acks, nacks, late nacks and time steps,
 * seeded, must lease the same offsets with the same delivery counts.
 */
class GroupStateModelTest {

  private static final long LEASE = 100;
  private static final int MAX_DELIVERIES = 4;

  /** The reference: every pending offset with its delivery count and the time it is due again. */
  private static final class Model {
    final Map<Long, long[]> pending = new HashMap<>();
    long cursor;

    List<String> lease(int max, long end, long now) {
      List<String> out = new ArrayList<>();
      List<Long> dueNow = new ArrayList<>(pending.keySet().stream()
          .filter(o -> pending.get(o)[1] <= now).toList());
      dueNow.sort(Comparator.<Long>comparingLong(o -> pending.get(o)[1]).thenComparing(o -> o));
      for (long o : dueNow) {
        if (out.size() >= max) {
          break;
        }
        long[] p = pending.get(o);
        if (p[0] >= MAX_DELIVERIES) {
          p[1] = Long.MAX_VALUE;
          out.add(o + "/dead");
          continue;
        }
        p[0]++;
        p[1] = now + LEASE;
        out.add(o + "/" + p[0]);
      }
      while (out.size() < max && cursor < end) {
        pending.put(cursor, new long[] {1, now + LEASE});
        out.add(cursor++ + "/1");
      }
      return out;
    }
  }

  @Test
  void leaseBatchesLeaseWhatPerOffsetDueTimesWould() {
    for (int seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      GroupState g = new GroupState("t", "g", new MemoryStorage().openGroup("t", "g"), 0);
      Model m = new Model();
      long now = 1_000;
      long end = 0;
      List<String> history = new ArrayList<>();
      for (int step = 0; step < 300; step++) {
        int op = random.nextInt(10);
        if (op < 3) {
          end += random.nextInt(6);
          int max = 1 + random.nextInt(5);
          List<String> got = new ArrayList<>();
          for (GroupState.Lease l : g.lease(max, end, now, LEASE, MAX_DELIVERIES)) {
            got.add(l.offset() + "/" + (l.deadLetterReason() != null ? "dead" : l.deliveries()));
          }
          List<String> expected = m.lease(max, end, now);
          history.add("lease " + max + " at " + now + " -> " + got);
          assertEquals(expected, got, "seed " + seed + " step " + step + ": " + history);
          for (String s : got) {
            if (s.endsWith("/dead")) {
              long o = Long.parseLong(s.substring(0, s.indexOf('/')));
              g.markDone(new long[] {o});
              m.pending.remove(o);
            }
          }
        } else if (op < 5 && !m.pending.isEmpty()) {
          List<Long> offsets = new ArrayList<>(m.pending.keySet());
          offsets.sort(null);
          int n = 1 + random.nextInt(Math.min(4, offsets.size()));
          long[] acked = new long[n];
          for (int i = 0; i < n; i++) {
            acked[i] = offsets.get(random.nextInt(offsets.size()));
          }
          g.markDone(acked);
          for (long o : acked) {
            m.pending.remove(o);
          }
          history.add("ack " + java.util.Arrays.toString(acked));
        } else if (op < 7 && !m.pending.isEmpty()) {
          List<Long> offsets = new ArrayList<>(m.pending.keySet());
          offsets.sort(null);
          long o = offsets.get(random.nextInt(offsets.size()));
          long[] p = m.pending.get(o);
          // sometimes a late nack from an earlier holder
          int deliveries = (int) p[0] - (random.nextInt(4) == 0 ? 1 : 0);
          long at = now + random.nextInt(3) * 50;
          boolean released = g.release(o, deliveries, at, "nack");
          boolean expected = deliveries == p[0] && p[1] != Long.MAX_VALUE;
          history.add("nack " + o + "/" + deliveries + " until " + at + " -> " + released);
          assertEquals(expected, released, "seed " + seed + " step " + step + ": " + history);
          if (expected) {
            p[1] = at;
          }
        } else {
          now += random.nextInt(8) == 0 ? -20 : random.nextInt(80);
          history.add("now " + now);
        }
      }
    }
  }
}
