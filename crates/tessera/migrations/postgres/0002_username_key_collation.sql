-- lower() follows the database's collation: under a Turkish ICU default it maps
-- "I" to a dotless "ı", so "ADMIN" and "admin" would not collide there (SQLite's
-- NOCASE folds ASCII only). Usernames are ASCII, and under the "C" collation
-- lower() folds exactly A-Z, whatever the database was created with. Lookups
-- use the same expression, so they use this index.
DROP INDEX users_username_ci;
CREATE UNIQUE INDEX users_username_ci ON users (lower(username COLLATE "C"));
