-- Each start of an academic year: when, by whom, and how many members
-- moved and graduated, for the academic-year page. The settings row
-- rollover:YYYY still guards against a second one in the same year.

CREATE TABLE rollovers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    academic_year TEXT NOT NULL UNIQUE,
    started_at    DATETIME NOT NULL,
    started_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    moved         INTEGER NOT NULL,
    graduated     INTEGER NOT NULL
);
