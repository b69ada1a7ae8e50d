-- Log-in attempts, counted before each password is checked: one row per
-- account and address, per account and remembered browser (a device
-- cookie), and per address across accounts. Each attempt is reserved in
-- the same transaction that reads the row (locked on PostgreSQL), so
-- parallel guesses cannot all pass one check; wait_until is when the next
-- attempt is allowed, which doubles after the free attempts.
CREATE TABLE login_attempts (
    key        TEXT PRIMARY KEY,
    failures   INTEGER NOT NULL,
    wait_until DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX login_attempts_updated ON login_attempts (updated_at);
