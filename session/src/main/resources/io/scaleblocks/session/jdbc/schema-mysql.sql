-- ScaleBlocks session store, MySQL 8.0 or later or MariaDB (InnoDB, for ON DELETE CASCADE);
-- tested on MariaDB 10.11. session_key is a random internal key that never changes; id is the
-- public id, which changeId replaces in one UPDATE. Times are epoch milliseconds of the
-- application's clock. Keys, ids, attribute names and principals compare byte for byte: keys and
-- ids by a binary collation (the default collations ignore case, which would let an id with its
-- case changed find a session), names and principals as VARBINARY of their UTF-8 (at most 3 bytes
-- a Java char): utf8mb4_bin ignores trailing spaces (PAD SPACE) on MariaDB and MySQL, which made
-- "n" and "n " one attribute and let a principal find another's sessions, and the binary
-- collations that do not (utf8mb4_nopad_bin, utf8mb4_0900_bin) are each only on one of the two.
-- A table made by an earlier version of this file takes
--   ALTER TABLE sb_session MODIFY principal VARBINARY(765);
--   ALTER TABLE sb_session_attribute MODIFY name VARBINARY(600) NOT NULL;
-- READ COMMITTED is the recommended isolation level.
CREATE TABLE IF NOT EXISTS sb_session (
  session_key    CHAR(22)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  id             VARCHAR(300) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at     BIGINT       NOT NULL,
  last_access_at BIGINT       NOT NULL,
  renewed_at     BIGINT       NOT NULL,
  idle_ms        BIGINT       NOT NULL,
  absolute_ms    BIGINT       NOT NULL,
  renewal_ms     BIGINT       NOT NULL,
  hard_deadline  BIGINT       NOT NULL,
  expires_at     BIGINT       NOT NULL,
  principal      VARBINARY(765),
  seq            BIGINT       NOT NULL,
  UNIQUE KEY sb_session_id (id),
  KEY sb_session_expires_at (expires_at),
  KEY sb_session_principal (principal)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
CREATE TABLE IF NOT EXISTS sb_session_attribute (
  session_key CHAR(22)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name        VARBINARY(600) NOT NULL,
  content     LONGBLOB     NOT NULL,
  version     BIGINT       NOT NULL,
  PRIMARY KEY (session_key, name),
  CONSTRAINT sb_session_attribute_session FOREIGN KEY (session_key)
    REFERENCES sb_session (session_key) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
