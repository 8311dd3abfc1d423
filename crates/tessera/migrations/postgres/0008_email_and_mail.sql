-- Email addresses, the one-time links sent to them, and the mail outbox.
--
-- An address is stored normalised (trimmed, lower case), so the plain unique
-- index keeps it unique regardless of letter case; accounts without one hold NULL.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
CREATE UNIQUE INDEX users_email_key ON users (email);

-- The live link of each kind per user: a newer one replaces the older, using
-- one deletes it. Only a SHA-256 of the secret part is kept. `email` is the
-- address a verification link verifies.
CREATE TABLE account_tokens (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT   NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash TEXT   NOT NULL,
    email      TEXT,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

-- Messages waiting for delivery. A sender claims due rows for a while
-- (`claimed_until`), deletes them once delivered, and otherwise retries at
-- `next_attempt_at` until it gives up. Several instances claim with
-- FOR UPDATE SKIP LOCKED, so each message has one sender at a time.
CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    recipient       TEXT      NOT NULL,
    subject         TEXT      NOT NULL,
    text_body       TEXT      NOT NULL,
    html_body       TEXT      NOT NULL,
    created_at      BIGINT    NOT NULL,
    attempts        BIGINT    NOT NULL,
    next_attempt_at BIGINT    NOT NULL,
    claimed_until   BIGINT    NOT NULL,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at);
