package io.scaleblocks.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LentConnectionsTest {

  private static Connection connection() {
    return (Connection) Proxy.newProxyInstance(LentConnectionsTest.class.getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
          if (method.getName().equals("equals")) {
            return proxy == args[0];
          }
          if (method.getName().equals("hashCode")) {
            return System.identityHashCode(proxy);
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void connectionsPastTheSlotsAreTrackedAndDrainedOnceEach() {
    LentConnections lent = new LentConnections(2);
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Connection c = connection();
      connections.add(c);
      lent.add(c);
    }
    lent.remove(connections.get(0));
    lent.remove(connections.get(3));
    List<Connection> drained = new ArrayList<>();
    lent.drain(drained::add);
    assertEquals(Set.of(connections.get(1), connections.get(2), connections.get(4)), Set.copyOf(drained));
    assertEquals(3, drained.size());
    List<Connection> again = new ArrayList<>();
    lent.drain(again::add);
    assertEquals(List.of(), again);
  }

  @Test
  void aReturnedConnectionFreesItsSlotForTheNext() {
    LentConnections lent = new LentConnections(1);
    Connection first = connection();
    Connection second = connection();
    lent.add(first);
    lent.remove(first);
    lent.add(second);
    List<Connection> drained = new ArrayList<>();
    lent.drain(drained::add);
    assertEquals(List.of(second), drained);
  }
}
