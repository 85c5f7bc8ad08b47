package io.scaleblocks.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of what the router knows: every node's status, the primary (if any),
 * the replicas in rotation, and the newest timeline seen. {@link #next} is the one place the
 * rules of roles, lag and fencing live.
 */
final class Topology {

  /** Per node, in configured order (an unmodifiable view of a map no one else holds). */
  final Map<Node, NodeStatus> statuses;
  /** Each node's last reported log position (a replica's replay position), 0 when unknown. */
  final Map<Node, Long> positions;
  final Node primary;
  final List<Node> rotation;
  final long newestTimeline;

  private Topology(Map<Node, NodeStatus> statuses, Map<Node, Long> positions, Node primary,
      List<Node> rotation, long newestTimeline) {
    this.statuses = statuses;
    this.positions = positions;
    this.primary = primary;
    this.rotation = rotation;
    this.newestTimeline = newestTimeline;
  }

  /** Before any probe: roles as configured. */
  static Topology initial(List<Node> nodes, Instant now) {
    Map<Node, NodeStatus> statuses = new LinkedHashMap<>();
    Map<Node, Long> positions = new LinkedHashMap<>();
    List<Node> rotation = new ArrayList<>();
    for (Node node : nodes) {
      statuses.put(node, status(node, NodeState.UNKNOWN, 0, Duration.ZERO, 0, "not probed yet", now));
      positions.put(node, 0L);
      if (node.spec.role() == Role.REPLICA) {
        rotation.add(node);
      }
    }
    return new Topology(Collections.unmodifiableMap(statuses), Map.copyOf(positions), nodes.get(0), List.copyOf(rotation), 0);
  }

  /** The limits {@link #next} applies. */
  record Limits(long maxLagBytes, Duration maxLag) {}

  /**
   * The topology after {@code outcomes} (nodes missing from it keep their status). Writes go to
   * the node not in recovery on the newest timeline (the previous primary first among equals,
   * then the configured one); any other node not in recovery is fenced, and so is a primary on a
   * timeline older than one seen before, even when it is the only one.
   */
  Topology next(List<Node> nodes, Map<Node, ProbeOutcome> outcomes, Instant now,
      PositionHistory history, Limits limits) {
    Map<Node, Dialect.Probe> answered = new LinkedHashMap<>();
    Map<Node, String> failures = new LinkedHashMap<>();
    for (Node node : nodes) {
      ProbeOutcome outcome = outcomes.get(node);
      if (outcome instanceof ProbeOutcome.Answered a) {
        answered.put(node, a.probe());
      } else if (outcome instanceof ProbeOutcome.Failed f) {
        failures.put(node, f.reason());
      }
    }
    long newest = newestTimeline;
    for (Dialect.Probe probe : answered.values()) {
      newest = Math.max(newest, probe.timeline());
    }
    Node writer = chooseWriter(nodes, answered, failures, newest);
    if (writer != primary) {
      history.clear();
    }
    long writerPosition = writer != null && answered.containsKey(writer)
        ? answered.get(writer).position() : writer != null ? positions.get(writer) : 0;
    if (writer != null && answered.containsKey(writer)) {
      history.record(now, writerPosition);
    }
    Map<Node, NodeStatus> next = new LinkedHashMap<>();
    Map<Node, Long> nextPositions = new LinkedHashMap<>();
    List<Node> nextRotation = new ArrayList<>();
    for (Node node : nodes) {
      NodeStatus status;
      if (failures.containsKey(node)) {
        status = status(node, NodeState.DOWN, 0, Duration.ZERO, statuses.get(node).timeline(), failures.get(node), now);
        nextPositions.put(node, positions.get(node));
      } else if (!answered.containsKey(node)) {
        status = statuses.get(node);
        nextPositions.put(node, positions.get(node));
      } else {
        Dialect.Probe probe = answered.get(node);
        nextPositions.put(node, probe.position());
        status = classify(node, probe, writer, writerPosition, newest, now, history, limits);
      }
      NodeStatus previous = statuses.get(node);
      if (previous.state() == status.state()) {
        status = withSince(status, previous.since());
      }
      next.put(node, status);
      if (status.state() == NodeState.REPLICA || status.state() == NodeState.UNKNOWN && node.spec.role() == Role.REPLICA) {
        nextRotation.add(node);
      }
    }
    return new Topology(Collections.unmodifiableMap(next), Map.copyOf(nextPositions), writer, List.copyOf(nextRotation), newest);
  }

  /** This topology with {@code node} down (a connection to it failed); the monitor restores it. */
  Topology withDown(Node node, String reason, Instant now) {
    Map<Node, NodeStatus> next = new LinkedHashMap<>(statuses);
    NodeStatus previous = statuses.get(node);
    if (previous.state() == NodeState.DOWN) {
      return this;
    }
    next.put(node, status(node, NodeState.DOWN, 0, Duration.ZERO, previous.timeline(), reason, now));
    List<Node> nextRotation = new ArrayList<>(rotation);
    nextRotation.remove(node);
    return new Topology(Collections.unmodifiableMap(next), positions, primary == node ? null : primary,
        List.copyOf(nextRotation), newestTimeline);
  }

  private Node chooseWriter(List<Node> nodes, Map<Node, Dialect.Probe> answered,
      Map<Node, String> failures, long newest) {
    if (!nodes.get(0).dialect.inspectsReplication()) {
      Node configured = nodes.get(0);
      return failures.containsKey(configured) ? null : configured;
    }
    Node best = null;
    for (Node node : nodes) {
      Dialect.Probe probe = answered.get(node);
      if (probe == null || probe.inRecovery() || probe.timeline() < newest) {
        continue;
      }
      if (best == null || node == primary || best != primary && node.spec.role() == Role.PRIMARY) {
        best = node;
      }
    }
    if (best == null && primary != null && !failures.containsKey(primary) && !answered.containsKey(primary)) {
      return primary;
    }
    return best;
  }

  private static NodeStatus classify(Node node, Dialect.Probe probe, Node writer, long writerPosition,
      long newest, Instant now, PositionHistory history, Limits limits) {
    long timeline = probe.timeline();
    if (node == writer) {
      return status(node, NodeState.PRIMARY, 0, Duration.ZERO, timeline, "takes writes", now);
    }
    if (!node.dialect.inspectsReplication()) {
      return node.spec.role() == Role.REPLICA
          ? status(node, NodeState.REPLICA, 0, Duration.ZERO, timeline, "in rotation", now)
          : status(node, NodeState.FENCED, 0, Duration.ZERO, timeline, "configured primary, not used", now);
    }
    if (!probe.inRecovery()) {
      String why = timeline < newest
          ? "split brain: a primary on timeline " + timeline + ", older than timeline " + newest
              + (writer == null ? "" : " of " + writer.name)
          : "a primary, but writes go to " + (writer == null ? "none" : writer.name);
      return status(node, NodeState.FENCED, 0, Duration.ZERO, timeline, why, now);
    }
    long lagBytes = writer == null ? 0 : Math.max(0, writerPosition - probe.position());
    Duration lag = writer == null || lagBytes == 0 ? Duration.ZERO : history.lagOf(probe.position(), now);
    if (limits.maxLagBytes() > 0 && lagBytes > limits.maxLagBytes()) {
      return status(node, NodeState.LAGGING, lagBytes, lag, timeline,
          "lag " + lagBytes + " bytes > " + limits.maxLagBytes(), now);
    }
    if (!limits.maxLag().isZero() && lag.compareTo(limits.maxLag()) > 0) {
      return status(node, NodeState.LAGGING, lagBytes, lag, timeline,
          "lag " + lag.toMillis() + " ms > " + limits.maxLag().toMillis() + " ms", now);
    }
    return status(node, NodeState.REPLICA, lagBytes, lag, timeline, "in rotation", now);
  }

  private static NodeStatus status(Node node, NodeState state, long lagBytes, Duration lag,
      long timeline, String detail, Instant since) {
    return new NodeStatus(node.name, node.spec.url().orElse("DataSource"), node.spec.role(), state,
        lagBytes, lag, timeline, detail, since);
  }

  private static NodeStatus withSince(NodeStatus s, Instant since) {
    return new NodeStatus(s.name(), s.url(), s.configured(), s.state(), s.lagBytes(), s.lag(),
        s.timeline(), s.detail(), since);
  }
}
