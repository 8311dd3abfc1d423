-- Roles granted to users; they go into access tokens.
CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- A session is one sign-in: every token issued from it carries its id (`sid`),
-- and its refresh tokens form one rotation family.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Refresh tokens by id. A rotated token keeps what it was exchanged for, so a
-- repeat within the grace window can be answered with the same pair.
CREATE TABLE refresh_tokens (
    jti           TEXT    PRIMARY KEY,
    session_id    TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER,
    successor_jti TEXT,
    access_jti    TEXT
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

-- Access tokens and sessions that must stop working before they expire. Kept
-- apart from users and sessions so deleting those never un-revokes anything.
-- Servers hold the live rows in memory and follow new ones by id.
CREATE TABLE revocations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL CHECK (kind IN ('token', 'session')),
    value      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX revocations_by_expiry ON revocations (expires_at);
