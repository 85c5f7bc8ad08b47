package io.scaleblocks.replication;

import java.util.Optional;
import javax.sql.DataSource;

/** A configured node: a JDBC URL for a pool the router builds, or the user's own DataSource. */
record NodeSpec(String name, Role role, Optional<String> url, Optional<DataSource> dataSource, int weight) {

  String label() {
    return name + " (" + url.orElse("DataSource") + ")";
  }

  /** {@code host:port} of a JDBC URL, else the URL itself: the default node name. */
  static String nameOf(String url) {
    int start = url.indexOf("//");
    if (start < 0) {
      return url;
    }
    String rest = url.substring(start + 2);
    int end = rest.indexOf('/');
    return end < 0 ? rest : rest.substring(0, end);
  }
}
