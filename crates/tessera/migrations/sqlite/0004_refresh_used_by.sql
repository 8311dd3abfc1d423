-- Which client (a digest of its address and user agent) used a refresh token:
-- within the grace window only that client gets the same pair again; a replay
-- from any other client counts as theft. NULL for tokens used before this.
ALTER TABLE refresh_tokens ADD COLUMN used_by TEXT;
