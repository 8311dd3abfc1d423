-- Bumped with every password change. A sign-in creates its session only if the
-- version it read with the hash is still current, in the same statement, so a
-- password change racing a sign-in never leaves a session made from the old one.
ALTER TABLE users ADD COLUMN credential_version BIGINT NOT NULL DEFAULT 0;
