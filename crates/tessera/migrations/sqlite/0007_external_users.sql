-- Users of an app that brings its own users table: each signs in through the
-- app's hook, and Tessera keeps a row per such user (its sessions reference
-- it), naming the app's stable id for the user here. NULL for Tessera's own
-- accounts; unique otherwise.
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_external_id ON users (external_id);
