-- users.created_at becomes Unix seconds, like every other time Tessera stores
-- (sessions, refresh tokens, revocations) and as Postgres stores it too; it was
-- RFC 3339 text here and a TIMESTAMPTZ there. Clients still see RFC 3339 UTC
-- text in whole seconds.
--
-- SQLite cannot change a column's type: add the new column, fill it, drop the
-- old one and take its name. A column added NOT NULL needs a constant default;
-- 0 is never used, as Tessera supplies the time when it creates a user. A time
-- that does not parse leaves NULL, and the NOT NULL check stops the upgrade
-- rather than invent a date.
ALTER TABLE users ADD COLUMN created_unix INTEGER NOT NULL DEFAULT 0;
UPDATE users SET created_unix = unixepoch(created_at);
ALTER TABLE users DROP COLUMN created_at;
ALTER TABLE users RENAME COLUMN created_unix TO created_at;
