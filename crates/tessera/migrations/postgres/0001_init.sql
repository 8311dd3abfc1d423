-- Accounts. Names are unique regardless of case, so "Alice" cannot shadow "alice".
CREATE TABLE users (
    id            BIGSERIAL   PRIMARY KEY,
    username      TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_ci ON users (lower(username));

-- Roles granted to users; they go into access tokens.
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT   NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- A session is one sign-in: every token issued from it carries its id (`sid`),
-- and its refresh tokens form one rotation family. Times are Unix seconds, as in tokens.
CREATE TABLE sessions (
    id         TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Refresh tokens by id. A rotated token keeps what it was exchanged for, so a
-- repeat within the grace window can be answered with the same pair.
CREATE TABLE refresh_tokens (
    jti           TEXT   PRIMARY KEY,
    session_id    TEXT   NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at     BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    used_at       BIGINT,
    successor_jti TEXT,
    access_jti    TEXT
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);

-- Access tokens and sessions that must stop working before they expire.
CREATE TABLE revocations (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT      NOT NULL CHECK (kind IN ('token', 'session')),
    value      TEXT      NOT NULL,
    expires_at BIGINT    NOT NULL
);
CREATE INDEX revocations_by_expiry ON revocations (expires_at);

-- Every committed revocation is announced to every listening server at once:
-- payload "<id> <kind> <expires_at> <value>" (values hold no spaces).
CREATE FUNCTION tessera_announce_revocation() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('tessera_revocations',
        NEW.id || ' ' || NEW.kind || ' ' || NEW.expires_at || ' ' || NEW.value);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER revocations_announce AFTER INSERT ON revocations
    FOR EACH ROW EXECUTE FUNCTION tessera_announce_revocation();
