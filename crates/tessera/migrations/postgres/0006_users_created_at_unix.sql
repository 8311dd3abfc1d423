-- users.created_at becomes Unix seconds, like every other time Tessera stores
-- (sessions, refresh tokens, revocations) and as SQLite stores it too; it was a
-- TIMESTAMPTZ here and RFC 3339 text there. Clients still see RFC 3339 UTC text
-- in whole seconds, rounded down as before. Tessera supplies the time when it
-- creates a user, so the column needs no default.
--
-- Servers of earlier releases read this column as a timestamp: upgrade every
-- instance sharing the database together.
-- Rewriting the table must not meet the pool's statement timeout on a large one.
SET LOCAL statement_timeout = 0;
ALTER TABLE users
    ALTER COLUMN created_at DROP DEFAULT,
    ALTER COLUMN created_at TYPE BIGINT USING floor(extract(epoch FROM created_at))::bigint;
