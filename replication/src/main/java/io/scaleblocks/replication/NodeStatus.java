package io.scaleblocks.replication;

import java.time.Duration;
import java.time.Instant;

/**
 * What the router knows about one node at one moment.
 *
 * @param name the node's name in logs, metrics and exceptions
 * @param url its JDBC URL, or {@code "DataSource"} for one the user passed
 * @param configured the role it was configured with
 * @param state what the router does with it now
 * @param lagBytes for a replica, how many bytes of log it is behind the primary (0 when unknown)
 * @param lag for a replica, how long ago the primary was where the replica is now
 * @param timeline the timeline it was last seen on (0 when unknown)
 * @param detail why it is in this state, for people ({@code "lag 17 MB > 16 MB"})
 * @param since when it entered this state, on the router's clock
 */
public record NodeStatus(
    String name,
    String url,
    Role configured,
    NodeState state,
    long lagBytes,
    Duration lag,
    long timeline,
    String detail,
    Instant since) {

  /** {@code name (url)}, the form exceptions use. */
  public String label() {
    return name + " (" + url + ")";
  }
}
