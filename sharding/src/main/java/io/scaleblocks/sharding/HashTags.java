package io.scaleblocks.sharding;

/**
 * Redis Cluster's hash tag rule: if a key contains a {@code '{'} and, after it, a {@code '}'}
 * with at least one character between them, only the characters between the first {@code '{'}
 * and the first {@code '}'} after it are hashed; otherwise the whole key is.
 */
final class HashTags {

  private HashTags() {}

  static long hash(HashFunction hash, CharSequence key) {
    int length = key.length();
    for (int open = 0; open < length; open++) {
      if (key.charAt(open) == '{') {
        for (int close = open + 1; close < length; close++) {
          if (key.charAt(close) == '}') {
            return close > open + 1 ? hash.hash(key, open + 1, close) : hash.hash(key);
          }
        }
        return hash.hash(key);
      }
    }
    return hash.hash(key);
  }
}
