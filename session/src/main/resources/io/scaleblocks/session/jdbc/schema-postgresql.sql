-- ScaleBlocks session store, PostgreSQL 12 or later. One row per session, one per attribute.
-- session_key is a random internal key that never changes; id is the public id, which changeId
-- replaces in one UPDATE. Times are epoch milliseconds of the application's clock.
CREATE TABLE IF NOT EXISTS sb_session (
  session_key    CHAR(22)     NOT NULL PRIMARY KEY,
  id             VARCHAR(300) NOT NULL UNIQUE,
  created_at     BIGINT       NOT NULL,
  last_access_at BIGINT       NOT NULL,
  renewed_at     BIGINT       NOT NULL,
  idle_ms        BIGINT       NOT NULL,
  absolute_ms    BIGINT       NOT NULL,
  renewal_ms     BIGINT       NOT NULL,
  hard_deadline  BIGINT       NOT NULL,
  expires_at     BIGINT       NOT NULL,
  principal      VARCHAR(255),
  seq            BIGINT       NOT NULL
);
CREATE INDEX IF NOT EXISTS sb_session_expires_at ON sb_session (expires_at);
CREATE INDEX IF NOT EXISTS sb_session_principal ON sb_session (principal);
CREATE TABLE IF NOT EXISTS sb_session_attribute (
  session_key CHAR(22)     NOT NULL REFERENCES sb_session (session_key) ON DELETE CASCADE,
  name        VARCHAR(200) NOT NULL,
  content     BYTEA        NOT NULL,
  version     BIGINT       NOT NULL,
  PRIMARY KEY (session_key, name)
);
