-- Signed-in devices (`GET /sessions`): each session keeps where it was last
-- used from, written when it starts and again at each refresh. The address is
-- kept only shortened to its network (an IPv4 /24, an IPv6 /48), which is all
-- the list shows; the user agent is kept as sent (cut to 512 bytes), so its
-- device label can be worked out again as the labelling improves. Sessions of
-- earlier releases have neither and list as an unknown device.
ALTER TABLE sessions ADD COLUMN refreshed_at INTEGER;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client_network TEXT;
