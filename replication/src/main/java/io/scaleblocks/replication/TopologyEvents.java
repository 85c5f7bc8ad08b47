package io.scaleblocks.replication;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs what changed between two topologies and tells the listeners, outside every lock. */
final class TopologyEvents {

  private static final Logger log = LoggerFactory.getLogger(ReplicationDataSource.class);

  private TopologyEvents() {}

  static void report(String name, Topology before, Topology after, List<ReplicationListener> listeners) {
    for (var entry : after.statuses.entrySet()) {
      NodeStatus previous = before.statuses.get(entry.getKey());
      NodeStatus current = entry.getValue();
      if (previous.state() != current.state()) {
        logChange(name, previous, current);
        fire(name, listeners, listener -> listener.onNodeChange(previous, current));
      }
    }
    Optional<String> was = Optional.ofNullable(before.primary).map(node -> node.name);
    Optional<String> now = Optional.ofNullable(after.primary).map(node -> node.name);
    if (!Objects.equals(was, now)) {
      if (now.isEmpty()) {
        log.warn("{} - no primary: writes fail until one is reachable", name);
      } else {
        log.warn("{} - writes go to {} (timeline {})", name, after.primary.label(),
            after.statuses.get(after.primary).timeline());
      }
      fire(name, listeners, listener -> listener.onPrimaryChange(was, now));
    }
  }

  private static void logChange(String name, NodeStatus previous, NodeStatus current) {
    String node = current.label();
    switch (current.state()) {
      case DOWN -> log.warn("{} - {} is down: {}", name, node, current.detail());
      case LAGGING -> log.warn("{} - replica {} leaves rotation: {}", name, node, current.detail());
      case FENCED -> log.warn("{} - {} {}; it gets neither writes nor reads ({})", name, node,
          current.configured() == Role.REPLICA ? "is configured as a replica but is a primary"
              : "is a primary that is not the one writes go to", current.detail());
      case REPLICA -> {
        if (current.configured() == Role.PRIMARY) {
          log.warn("{} - {} is configured as the primary but is in recovery; it serves reads", name, node);
        } else if (previous.state() != NodeState.UNKNOWN) {
          log.info("{} - replica {} is back in rotation (was {})", name, node, previous.state());
        }
      }
      default -> log.info("{} - {} is {}", name, node, current.state());
    }
  }

  static void fire(String name, List<ReplicationListener> listeners, Consumer<ReplicationListener> event) {
    for (ReplicationListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError) {
          throw e;
        }
        log.warn("{} - listener {} failed", name, listener, e);
      }
    }
  }
}
