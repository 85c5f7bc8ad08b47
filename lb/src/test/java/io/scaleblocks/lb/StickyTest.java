package io.scaleblocks.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StickyTest {

  @Test
  void aCookieKeepsItsEndpointUntilItIsUnhealthyThenFailsOver() {
    EndpointGroup<String> group = EndpointGroup.of(
        Endpoint.of("10.0.0.1:80"), Endpoint.of("10.0.0.2:80"), Endpoint.of("10.0.0.3:80"));
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(Strategies.sticky(Strategies.roundRobin()))
        .outlierDetection(OutlierDetection.builder().consecutiveFailures(1).build())
        .refreshInterval(Duration.ZERO).build()) {
      String cookie = lb.pick().id();
      for (int i = 0; i < 1_000; i++) {
        assertEquals(cookie, lb.pick(cookie).id());
      }
      Endpoint<String> stuck = lb.pick(cookie);
      lb.callStarted(stuck);
      lb.callFinished(stuck, false);
      Endpoint<String> failover = lb.pick(cookie);
      assertNotEquals(cookie, failover.id());
      String newCookie = failover.id();
      for (int i = 0; i < 1_000; i++) {
        assertEquals(newCookie, lb.pick(newCookie).id());
      }
    }
  }

  @Test
  void unknownAndMissingCookiesGoToTheFallback() {
    EndpointGroup<String> group = EndpointGroup.of(Endpoint.of("a"), Endpoint.of("b"));
    try (LoadBalancer<String> lb = LoadBalancer.builder(group)
        .strategy(Strategies.sticky(new RoundRobinStrategy(false, 0))).build()) {
      assertEquals("a", lb.pick("no-such-endpoint").id());
      assertEquals("b", lb.pick(null).id());
      assertEquals("a", lb.pick("a").id());
      assertEquals("a", lb.pick(new StringBuilder("a")).id());
    }
  }
}
