-- A session's assurance level, the digit of its tokens' `acr`: 0 a password
-- sign-in waiting for its second factor, 1 a password alone (no second factor
-- enrolled), 2 a password and a second factor. Refreshes keep it.
ALTER TABLE sessions ADD COLUMN acr INTEGER NOT NULL DEFAULT 1;

-- A user's TOTP authenticator (RFC 6238). The secret is sealed with a key of
-- the key ring, never stored in the clear. Until `confirmed_at` is set the
-- enrolment is pending and signs nobody in. `last_step` is the newest time
-- step accepted, so a code is never accepted twice; `failures` counts wrong
-- codes since `failures_since`, for the per-account limit shared by every
-- instance.
CREATE TABLE totp_authenticators (
    user_id        INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_secret  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    confirmed_at   INTEGER,
    last_step      INTEGER,
    failures       INTEGER NOT NULL DEFAULT 0,
    failures_since INTEGER NOT NULL DEFAULT 0
);

-- One-time recovery codes, as keyed hashes; each is spent once.
CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT    NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
);

-- A check value of the secrets key that sealed the secrets above (an HMAC of
-- a fixed label under a subkey, never the key): the first instance records
-- it, and every start compares, so an instance whose key differs (its own
-- `second-factor.key`, or another TESSERA_JWT_SECRET) refuses to start
-- instead of sealing what the others cannot open. One row per key name.
CREATE TABLE key_checks (
    name        TEXT NOT NULL PRIMARY KEY,
    check_value TEXT NOT NULL
);
