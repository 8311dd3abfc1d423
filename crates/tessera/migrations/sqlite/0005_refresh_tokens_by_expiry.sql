-- Purging expired refresh tokens looks them up by expiry, as revocations are.
-- Postgres has had this index since 0001; SQLite lacked it. Both engines now
-- have the same tables, columns and indexes.
CREATE INDEX IF NOT EXISTS refresh_tokens_by_expiry ON refresh_tokens (expires_at);
