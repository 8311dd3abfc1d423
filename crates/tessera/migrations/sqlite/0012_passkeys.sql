-- A user's passkeys (WebAuthn credentials). `credential_id` is the
-- authenticator's id for it (base64url), unique across users; `user_handle`
-- the WebAuthn user id the credential holds (one per user, the same in all
-- their passkeys), checked at a sign-in without a username. `passkey` is the
-- relying-party library's record (public key, flags; JSON); `sign_count`
-- the authenticator's counter as last accepted, raised by one conditional
-- statement so two instances cannot both accept the same count.
CREATE TABLE passkeys (
    id            TEXT   NOT NULL PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT   NOT NULL UNIQUE,
    user_handle   TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    passkey       TEXT   NOT NULL,
    sign_count    INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- WebAuthn ceremonies begun and not yet finished: the library's state for
-- each (the challenge among it), kept here so that any instance can finish
-- what another began. Taken (deleted) by the request that finishes it, so
-- each is used once; expired ones are deleted when new ones are stored.
-- `user_id` is the user a registration or a second step is for; none for a
-- sign-in without a username.
CREATE TABLE webauthn_ceremonies (
    id         TEXT   NOT NULL PRIMARY KEY,
    kind       TEXT   NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    state      TEXT   NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX webauthn_ceremonies_by_expiry ON webauthn_ceremonies (expires_at);
